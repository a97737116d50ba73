/// <reference path="../build/pocketbase-types.d.ts" />
// Crash-safe SMS (issue 16): a delivery whose text the bridge handed to the
// SMSC and then stopped before the answer is `unknown` ("may not have been
// sent; retry?"), not `failed`; every attempt is kept in `attempt_log` with
// its SMSC ids; `maybe_duplicate` marks a text written again after a write
// that got no answer (the phone may have it twice). docs/bridge.md.

migrate(
  (app) => {
    const deliveries = app.findCollectionByNameOrId('deliveries');
    const status = deliveries.fields.getByName('status');
    status.values = ['queued', 'sending', 'sent', 'delivered', 'failed', 'unknown'];
    deliveries.fields.add(new JSONField({ name: 'attempt_log', maxSize: 20000 }));
    deliveries.fields.add(new BoolField({ name: 'maybe_duplicate' }));
    app.save(deliveries);
  },
  (app) => {
    // nothing is lost going back: an unknown outcome reads as failed with its sentence
    app.db().newQuery("UPDATE deliveries SET status = 'failed' WHERE status = 'unknown'").execute();
    const deliveries = app.findCollectionByNameOrId('deliveries');
    deliveries.fields.getByName('status').values = ['queued', 'sending', 'sent', 'delivered', 'failed'];
    deliveries.fields.removeByName('attempt_log');
    deliveries.fields.removeByName('maybe_duplicate');
    app.save(deliveries);
  },
);
