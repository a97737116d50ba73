/// <reference path="../build/pocketbase-types.d.ts" />
// Attachments (issue 13; docs/attachments.md). The browser uploads each
// original to `uploads`, which only the service account (the media worker)
// reads: a phone photo's GPS position never reaches another member. Posting
// the message turns the caller's uploads under its client_key into
// `attachments`, readable by exactly the people who read the message; the
// worker fills in the cleaned copy and its thumbnail and deletes the
// original. `messages.files` is the summary the timeline draws from.

const USER = '@request.auth.collectionName = "users"';
const SERVICE = '@request.auth.collectionName = "services"';
const MEMBER_OF_CONVERSATION = USER + ' && conversation.members.id ?= @request.auth.id';
// the server's own ceiling; the admin's limit (settings.attachment_max_mb) is lower
const HARD_MAX_BYTES = 100 * 1024 * 1024;

const autodates = () => [
  { name: 'created', type: 'autodate', onCreate: true },
  { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
];

migrate(
  (app) => {
    const users = app.findCollectionByNameOrId('users');
    const conversations = app.findCollectionByNameOrId('conversations');
    const messages = app.findCollectionByNameOrId('messages');

    const uploads = new Collection({
      type: 'base',
      name: 'uploads',
      // originals carry whatever the camera wrote: the worker alone reads them
      listRule: SERVICE,
      viewRule: SERVICE,
      // a member uploads into a conversation; the hook sets `uploader` and checks the limits
      createRule: MEMBER_OF_CONVERSATION,
      updateRule: null,
      deleteRule: SERVICE,
      fields: [
        { name: 'uploader', type: 'relation', collectionId: users.id, maxSelect: 1 },
        { name: 'conversation', type: 'relation', required: true, collectionId: conversations.id, maxSelect: 1, cascadeDelete: true },
        // the client_key of the message this file goes with, and its place in it
        { name: 'client_key', type: 'text', required: true, max: 64 },
        { name: 'position', type: 'number', min: 0, max: 19, onlyInt: true },
        { name: 'file', type: 'file', required: true, maxSelect: 1, maxSize: HARD_MAX_BYTES, protected: true },
        { name: 'name', type: 'text', max: 200 },
        { name: 'type', type: 'text', max: 120 },
        { name: 'size', type: 'number', min: 0, onlyInt: true },
        // set when a message takes the upload
        { name: 'message', type: 'relation', collectionId: messages.id, maxSelect: 1 },
        ...autodates(),
      ],
      indexes: [
        'CREATE UNIQUE INDEX idx_uploads_key ON uploads (uploader, client_key, position)',
        'CREATE INDEX idx_uploads_created ON uploads (created)',
      ],
    });
    app.save(uploads);

    const attachments = new Collection({
      type: 'base',
      name: 'attachments',
      listRule: '(' + MEMBER_OF_CONVERSATION + ') || ' + SERVICE,
      viewRule: '(' + MEMBER_OF_CONVERSATION + ') || ' + SERVICE,
      createRule: null,
      // the worker fills in the processed copy; what it belongs to is fixed
      updateRule:
        SERVICE + ' && @request.body.message:isset = false && @request.body.conversation:isset = false' +
        ' && @request.body.public_token:isset = false && @request.body.public_expires:isset = false' +
        ' && @request.body.upload:isset = false',
      deleteRule: null,
      fields: [
        { name: 'message', type: 'relation', required: true, collectionId: messages.id, maxSelect: 1, cascadeDelete: true },
        { name: 'conversation', type: 'relation', required: true, collectionId: conversations.id, maxSelect: 1, cascadeDelete: true },
        { name: 'upload', type: 'relation', collectionId: uploads.id, maxSelect: 1 },
        { name: 'position', type: 'number', min: 0, onlyInt: true },
        { name: 'name', type: 'text', max: 200 },
        { name: 'type', type: 'text', max: 120 },
        { name: 'size', type: 'number', min: 0, onlyInt: true },
        { name: 'width', type: 'number', min: 0, onlyInt: true },
        { name: 'height', type: 'number', min: 0, onlyInt: true },
        { name: 'file', type: 'file', maxSelect: 1, maxSize: HARD_MAX_BYTES, protected: true },
        { name: 'thumb', type: 'file', maxSelect: 1, maxSize: 5 * 1024 * 1024, protected: true },
        { name: 'status', type: 'select', required: true, values: ['processing', 'ready', 'failed', 'removed'], maxSelect: 1 },
        { name: 'error', type: 'text', max: 300 },
        // the SMS link: /f/{public_token}, until public_expires
        { name: 'public_token', type: 'text', max: 64 },
        { name: 'public_expires', type: 'date' },
        ...autodates(),
      ],
      indexes: [
        'CREATE INDEX idx_attachments_message ON attachments (message)',
        'CREATE INDEX idx_attachments_conversation ON attachments (conversation, created)',
        'CREATE INDEX idx_attachments_status ON attachments (status)',
        "CREATE UNIQUE INDEX idx_attachments_public_token ON attachments (public_token) WHERE public_token != ''",
      ],
    });
    app.save(attachments);

    // what the timeline draws: [{id, name, type, size, width, height, status, file, thumb}]
    messages.fields.add(new JSONField({ name: 'files', maxSize: 20000 }));
    app.save(messages);

    const settings = app.findCollectionByNameOrId('settings');
    settings.fields.add(new NumberField({ name: 'attachment_max_mb', min: 1, max: 100, onlyInt: true }));
    settings.fields.add(new TextField({ name: 'attachment_types', max: 1000 }));
    settings.fields.add(new TextField({ name: 'public_url', max: 200 }));
    settings.fields.add(new NumberField({ name: 'public_link_days', min: 1, max: 365, onlyInt: true }));
    app.save(settings);
    const row = app.findFirstRecordByFilter('settings', "id != ''");
    row.set('attachment_max_mb', 25);
    row.set('attachment_types', 'image/*, application/pdf, text/plain, text/csv, application/zip, application/msword, application/vnd.openxmlformats-officedocument.*, application/vnd.oasis.opendocument.*');
    row.set('public_link_days', 30);
    app.save(row);
  },
  (app) => {
    const settings = app.findCollectionByNameOrId('settings');
    for (const f of ['attachment_max_mb', 'attachment_types', 'public_url', 'public_link_days']) settings.fields.removeByName(f);
    app.save(settings);
    const messages = app.findCollectionByNameOrId('messages');
    messages.fields.removeByName('files');
    app.save(messages);
    app.delete(app.findCollectionByNameOrId('attachments'));
    app.delete(app.findCollectionByNameOrId('uploads'));
  },
);
