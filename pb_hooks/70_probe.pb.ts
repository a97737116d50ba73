/// <reference path="../build/pocketbase-types.d.ts" />
// "Test connection" on the SMSC link form and in the first-run steps:
// administrators only; the bridge binds and unbinds. Logic in lib/probe.ts.

routerAdd('POST', '/api/smsc_links/test', (e) => {
  const probe: typeof import('./lib/probe') = require(`${__hooks}/lib/probe.js`);
  probe.checkAdministrator(e.auth);
  return e.json(200, probe.doProbe(e.app, e.requestInfo().body));
});
