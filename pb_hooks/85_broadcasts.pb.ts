/// <reference path="../build/pocketbase-types.d.ts" />
// Broadcasts: preview, start, pause / resume / cancel and the report for
// people allowed on the number (admins see and control every broadcast);
// the release route for the bridge's broadcast worker. Logic in
// lib/broadcasts.ts (docs/broadcasts.md).

routerAdd('POST', '/api/broadcasts/preview', (e) => {
  const broadcasts: typeof import('./lib/broadcasts') = require(`${__hooks}/lib/broadcasts.js`);
  const req = broadcasts.checkBroadcast(e.app, e.auth!, e.requestInfo().body);
  e.json(200, broadcasts.findPreview(e.app, req));
}, $apis.requireAuth('users'), $apis.bodyLimit(4 << 20));

routerAdd('POST', '/api/broadcasts', (e) => {
  const broadcasts: typeof import('./lib/broadcasts') = require(`${__hooks}/lib/broadcasts.js`);
  const req = broadcasts.checkBroadcast(e.app, e.auth!, e.requestInfo().body);
  const b = broadcasts.doStartBroadcast(e.app, e.auth!, e.realIP(), req);
  e.json(200, { broadcast: b, preview: broadcasts.findPreview(e.app, req) });
}, $apis.requireAuth('users'), $apis.bodyLimit(4 << 20));

routerAdd('POST', '/api/broadcasts/release', (e) => {
  const broadcasts: typeof import('./lib/broadcasts') = require(`${__hooks}/lib/broadcasts.js`);
  if (e.auth!.collection().name !== 'services') throw new ForbiddenError('Only the bridge releases broadcast texts.', null);
  e.json(200, broadcasts.doReleaseDue(e.app));
}, $apis.requireAuth('users', 'services'));

routerAdd('POST', '/api/broadcasts/{id}/{op}', (e) => {
  const broadcasts: typeof import('./lib/broadcasts') = require(`${__hooks}/lib/broadcasts.js`);
  const op = e.request!.pathValue('op');
  if (op !== 'pause' && op !== 'resume' && op !== 'cancel') throw new NotFoundError('No such action.', null);
  e.json(200, broadcasts.doControlBroadcast(e.app, e.auth!, e.realIP(), e.request!.pathValue('id'), op));
}, $apis.requireAuth('users'));

routerAdd('GET', '/api/broadcasts/{id}/report', (e) => {
  const broadcasts: typeof import('./lib/broadcasts') = require(`${__hooks}/lib/broadcasts.js`);
  const b = broadcasts.accessBroadcast(e.app, e.auth!, e.request!.pathValue('id'));
  const q = e.request!.url!.query();
  const page = Math.max(1, parseInt(q.get('page'), 10) || 1);
  const perPage = Math.min(500, Math.max(1, parseInt(q.get('perPage'), 10) || 100));
  e.json(200, broadcasts.findReport(e.app, b, page, perPage, q.get('status')));
}, $apis.requireAuth('users'));
