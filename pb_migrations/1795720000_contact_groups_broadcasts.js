/// <reference path="../build/pocketbase-types.d.ts" />
// Phonebook contact groups and broadcasts (issue 18). docs/broadcasts.md
// explains each field; tests/integration/rules.test.ts proves the rules.
//
// - `contact_groups`: named groups of the shared phonebook, read by every
//   user and edited by those who edit the shared phonebook; `contacts.groups`
//   puts a shared contact in groups (the hook refuses groups on a personal one).
// - `broadcasts`: one text from one business number to many phones, sent by
//   the bridge's broadcast worker in small releases; written by the hooks only.
//   Seen by admins and by the users allowed on its number.
// - `broadcast_recipients`: one row per phone, whose state is written in the
//   same transaction as its message and delivery.

const USER = '@request.auth.collectionName = "users"';
const ADMIN = USER + ' && @request.auth.role = "admin"';
const PHONEBOOK_EDITOR = USER + ' && (@request.auth.role = "admin" || @request.auth.edit_phonebook = true)';

migrate(
  (app) => {
    const users = app.findCollectionByNameOrId('users');
    const numbers = app.findCollectionByNameOrId('numbers');
    const messages = app.findCollectionByNameOrId('messages');
    const deliveries = app.findCollectionByNameOrId('deliveries');

    const groups = new Collection({
      type: 'base',
      name: 'contact_groups',
      listRule: USER,
      viewRule: USER,
      createRule: PHONEBOOK_EDITOR,
      updateRule: PHONEBOOK_EDITOR,
      deleteRule: PHONEBOOK_EDITOR,
      fields: [
        { name: 'name', type: 'text', required: true, max: 100 },
        { name: 'created', type: 'autodate', onCreate: true },
        { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
      ],
      indexes: ['CREATE UNIQUE INDEX idx_contact_groups_name ON contact_groups (name COLLATE NOCASE)'],
    });
    app.save(groups);

    const contacts = app.findCollectionByNameOrId('contacts');
    contacts.fields.add(new RelationField({ name: 'groups', collectionId: groups.id, maxSelect: 100 }));
    app.save(contacts);

    // admins, and the people allowed to text from the broadcast's number
    const SEES = '(' + ADMIN + ') || (' + USER + ' && @request.auth.sms_numbers.id ?= our_number)';
    const broadcasts = new Collection({
      type: 'base',
      name: 'broadcasts',
      listRule: SEES,
      viewRule: SEES,
      createRule: null,
      updateRule: null,
      deleteRule: null,
      fields: [
        { name: 'name', type: 'text', max: 100 },
        { name: 'our_number', type: 'relation', required: true, collectionId: numbers.id, maxSelect: 1 },
        { name: 'body', type: 'text', required: true, max: 4000 },
        { name: 'source', type: 'select', required: true, values: ['group', 'list'], maxSelect: 1 },
        { name: 'group', type: 'relation', collectionId: groups.id, maxSelect: 1 },
        // the group's name when it started (a group may be renamed or deleted later)
        { name: 'group_name', type: 'text', max: 100 },
        // texts per minute at most
        { name: 'cap', type: 'number', min: 1, onlyInt: true },
        { name: 'status', type: 'select', required: true, values: ['running', 'paused', 'cancelled', 'done'], maxSelect: 1 },
        { name: 'total', type: 'number', min: 0, onlyInt: true },
        { name: 'sent', type: 'number', min: 0, onlyInt: true },
        { name: 'skipped', type: 'number', min: 0, onlyInt: true },
        { name: 'failed', type: 'number', min: 0, onlyInt: true },
        { name: 'cancelled', type: 'number', min: 0, onlyInt: true },
        { name: 'segments', type: 'number', min: 0, onlyInt: true },
        { name: 'encoding', type: 'text', max: 10 },
        { name: 'created_by', type: 'relation', collectionId: users.id, maxSelect: 1 },
        { name: 'created_by_name', type: 'text', max: 200 },
        // the next release may not come before this (the cap)
        { name: 'next_release_at', type: 'date' },
        // why it paused by itself (the sender lost the number, SMS switched off)
        { name: 'last_error', type: 'text', max: 500 },
        { name: 'finished_at', type: 'date' },
        { name: 'created', type: 'autodate', onCreate: true },
        { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
      ],
      indexes: ['CREATE INDEX idx_broadcasts_status ON broadcasts (status, created)', 'CREATE INDEX idx_broadcasts_number ON broadcasts (our_number, created)'],
    });
    app.save(broadcasts);

    const SEES_PARENT = '(' + ADMIN + ') || (' + USER + ' && @request.auth.sms_numbers.id ?= broadcast.our_number)';
    const recipients = new Collection({
      type: 'base',
      name: 'broadcast_recipients',
      listRule: SEES_PARENT,
      viewRule: SEES_PARENT,
      createRule: null,
      updateRule: null,
      deleteRule: null,
      fields: [
        { name: 'broadcast', type: 'relation', required: true, collectionId: broadcasts.id, maxSelect: 1, cascadeDelete: true },
        { name: 'phone', type: 'text', required: true, max: 20 },
        // the order recipients are sent in
        { name: 'seq', type: 'number', min: 0, onlyInt: true },
        { name: 'status', type: 'select', required: true, values: ['pending', 'sent', 'skipped_opted_out', 'failed', 'cancelled'], maxSelect: 1 },
        { name: 'message', type: 'relation', collectionId: messages.id, maxSelect: 1 },
        { name: 'delivery', type: 'relation', collectionId: deliveries.id, maxSelect: 1 },
        { name: 'error', type: 'text', max: 500 },
        { name: 'done_at', type: 'date' },
      ],
      indexes: [
        'CREATE UNIQUE INDEX idx_broadcast_recipients_phone ON broadcast_recipients (broadcast, phone)',
        'CREATE INDEX idx_broadcast_recipients_next ON broadcast_recipients (broadcast, status, seq)',
      ],
    });
    app.save(recipients);
  },
  (app) => {
    for (const name of ['broadcast_recipients', 'broadcasts']) app.delete(app.findCollectionByNameOrId(name));
    const contacts = app.findCollectionByNameOrId('contacts');
    contacts.fields.removeByName('groups');
    app.save(contacts);
    app.delete(app.findCollectionByNameOrId('contact_groups'));
  },
);
