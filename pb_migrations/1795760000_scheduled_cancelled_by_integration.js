/// <reference path="../build/pocketbase-types.d.ts" />
// An integration cancels a text it scheduled through the send API
// (`POST /api/v1/deliveries/{id}/cancel`): the row records which key did,
// as `cancelled_by` records the person who cancelled in the thread.
// docs/integrations.md, docs/scheduled.md.

migrate(
  (app) => {
    const scheduled = app.findCollectionByNameOrId('scheduled_messages');
    const integrations = app.findCollectionByNameOrId('integrations');
    scheduled.fields.add(new RelationField({ name: 'cancelled_by_integration', collectionId: integrations.id, maxSelect: 1 }));
    app.save(scheduled);
  },
  (app) => {
    const scheduled = app.findCollectionByNameOrId('scheduled_messages');
    scheduled.fields.removeByName('cancelled_by_integration');
    app.save(scheduled);
  },
);
