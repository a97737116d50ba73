/// <reference path="../build/pocketbase-types.d.ts" />
// A conversation whose newest message failed to reach a phone is marked in
// the sidebar (issue 14, item 4): `last_failed` is true while the newest
// message has a failed delivery. The delivery hook sets it, a new message
// clears it (docs/conversations.md, "Failed texts in the list").

migrate(
  (app) => {
    const conversations = app.findCollectionByNameOrId('conversations');
    conversations.fields.add(new BoolField({ name: 'last_failed' }));
    app.save(conversations);
    app.db().newQuery(
      "UPDATE conversations SET last_failed = EXISTS (SELECT 1 FROM messages m JOIN deliveries d ON d.message = m.id " +
        "WHERE m.conversation = conversations.id AND m.created = conversations.last_message_at AND d.status = 'failed')",
    ).execute();
  },
  (app) => {
    const conversations = app.findCollectionByNameOrId('conversations');
    conversations.fields.removeByName('last_failed');
    app.save(conversations);
  },
);
