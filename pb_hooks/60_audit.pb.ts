/// <reference path="../build/pocketbase-types.d.ts" />
// Audit: administrators' and superusers' API changes to accounts, business
// numbers, SMSC links and settings go into `audit_log` in the same
// transaction; the person whose password was reset reads and acknowledges
// the notice through /api/me/notices. Logic in lib/audit.ts.

onRecordCreateRequest((e) => {
  const audit: typeof import('./lib/audit') = require(`${__hooks}/lib/audit.js`);
  audit.doAuditedRequest(e, 'create');
}, 'users', 'numbers', 'smsc_links', 'settings');

onRecordUpdateRequest((e) => {
  const audit: typeof import('./lib/audit') = require(`${__hooks}/lib/audit.js`);
  audit.doAuditedRequest(e, 'update');
}, 'users', 'numbers', 'smsc_links', 'settings', 'integrations');

onRecordDeleteRequest((e) => {
  const audit: typeof import('./lib/audit') = require(`${__hooks}/lib/audit.js`);
  audit.doAuditedRequest(e, 'delete');
}, 'users', 'numbers', 'smsc_links', 'settings');

routerAdd('GET', '/api/me/notices', (e) => {
  const audit: typeof import('./lib/audit') = require(`${__hooks}/lib/audit.js`);
  return e.json(200, { notices: audit.findNotices(e.app, e.auth!.id) });
}, $apis.requireAuth('users'));

routerAdd('POST', '/api/me/notices/ack', (e) => {
  const audit: typeof import('./lib/audit') = require(`${__hooks}/lib/audit.js`);
  audit.doAcknowledgeNotices(e.app, e.auth!.id, e.realIP());
  return e.json(200, { notices: [] });
}, $apis.requireAuth('users'));
