/// <reference path="../build/pocketbase-types.d.ts" />
// The bridge sends the delivery updates that are ready at the same moment as
// one /api/batch request (one transaction instead of one per update); every
// request in a batch still passes its collection's API rules.

migrate(
  (app) => {
    const s = app.settings();
    s.batch.enabled = true;
    s.batch.maxRequests = 50;
    s.batch.timeout = 10;
    app.save(s);
  },
  (app) => {
    const s = app.settings();
    s.batch.enabled = false;
    app.save(s);
  },
);
