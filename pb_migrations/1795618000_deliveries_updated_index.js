/// <reference path="../build/pocketbase-types.d.ts" />
// After a dropped connection the Messages tab catches up on delivery statuses
// changed since the newest one it saw (`updated >= …`): index that column.

migrate(
  (app) => {
    const deliveries = app.findCollectionByNameOrId('deliveries');
    deliveries.addIndex('idx_deliveries_updated', false, 'updated', '');
    app.save(deliveries);
  },
  (app) => {
    const deliveries = app.findCollectionByNameOrId('deliveries');
    deliveries.removeIndex('idx_deliveries_updated');
    app.save(deliveries);
  },
);
