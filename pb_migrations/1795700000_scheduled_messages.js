/// <reference path="../build/pocketbase-types.d.ts" />
// Scheduled sends (issue 18): a text written now that goes at `send_at`.
// Until then it is a `scheduled_messages` row that every member of the
// conversation sees ("Scheduled for …", with Cancel); when it goes, the
// minute sweep writes the real `messages` row (with the id reserved here)
// and queues its deliveries, in the transaction that moves `state` from
// `scheduled` to `sent`. People create rows through the records API (the
// hook checks them, lib/scheduled.ts); cancelling and the sweep are routes;
// nobody updates or deletes rows through the records API.
// Also the business's time zone (settings.time_zone, an IANA name), in
// which the compose box reads the date and time of a scheduled send.
// docs/scheduled.md.

const USER = '@request.auth.collectionName = "users"';
// the same read rule as messages: the active members of the conversation
const MEMBER_OF_CONVERSATION = USER + ' && conversation.members.id ?= @request.auth.id';

migrate(
  (app) => {
    const conversations = app.findCollectionByNameOrId('conversations');
    const users = app.findCollectionByNameOrId('users');
    const integrations = app.findCollectionByNameOrId('integrations');
    const scheduled = new Collection({
      type: 'base',
      name: 'scheduled_messages',
      listRule: MEMBER_OF_CONVERSATION,
      viewRule: MEMBER_OF_CONVERSATION,
      createRule: MEMBER_OF_CONVERSATION,
      updateRule: null,
      deleteRule: null,
      fields: [
        { name: 'conversation', type: 'relation', required: true, collectionId: conversations.id, maxSelect: 1, cascadeDelete: true },
        // who wrote it: a person, or an integration through the send API
        { name: 'author', type: 'relation', collectionId: users.id, maxSelect: 1 },
        { name: 'integration', type: 'relation', collectionId: integrations.id, maxSelect: 1 },
        { name: 'integration_name', type: 'text', max: 100 },
        { name: 'body', type: 'text', max: 20000 },
        { name: 'send_at', type: 'date', required: true },
        { name: 'state', type: 'select', required: true, maxSelect: 1, values: ['scheduled', 'sent', 'cancelled', 'failed'] },
        // the ids the message (and, for the send API, its delivery) get when it goes
        { name: 'message', type: 'text', max: 15 },
        { name: 'delivery', type: 'text', max: 15 },
        { name: 'client_key', type: 'text', max: 64 },
        // why it did not go (an opt-out since it was scheduled…)
        { name: 'error', type: 'text', max: 500 },
        { name: 'cancelled_by', type: 'relation', collectionId: users.id, maxSelect: 1 },
        // when it went, was cancelled or failed
        { name: 'done_at', type: 'date' },
        { name: 'created', type: 'autodate', onCreate: true },
        { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
      ],
      indexes: [
        // the sweep's question: what is due
        'CREATE INDEX idx_scheduled_due ON scheduled_messages (state, send_at)',
        'CREATE INDEX idx_scheduled_conversation ON scheduled_messages (conversation, state)',
        "CREATE UNIQUE INDEX idx_scheduled_client_key ON scheduled_messages (author, integration, client_key) WHERE client_key != ''",
        "CREATE UNIQUE INDEX idx_scheduled_message ON scheduled_messages (message) WHERE message != ''",
      ],
    });
    app.save(scheduled);

    const settings = app.findCollectionByNameOrId('settings');
    settings.fields.add(new TextField({ name: 'time_zone', max: 64 }));
    app.save(settings);
    const tz = ($os.getenv('TZ') || '').replace(/^:/, '');
    const zone = /^[A-Za-z][A-Za-z0-9_+-]{0,30}(\/[A-Za-z0-9_+-]{1,30}){0,2}$/.test(tz) ? tz : 'UTC';
    app.db().newQuery('UPDATE settings SET time_zone = {:tz}').bind({ tz: zone }).execute();
  },
  (app) => {
    const settings = app.findCollectionByNameOrId('settings');
    settings.fields.removeByName('time_zone');
    app.save(settings);
    app.delete(app.findCollectionByNameOrId('scheduled_messages'));
  },
);
