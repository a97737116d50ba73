/// <reference path="../build/pocketbase-types.d.ts" />
// SMS: threads with a phone number, external members of groups, retrying a
// failed delivery, and the bridge's inbound route.
// Logic in lib/sms.ts; outbound deliveries are queued by lib/messages.ts.

routerAdd('POST', '/api/conversations/sms', (e) => {
  const sms: typeof import('./lib/sms') = require(`${__hooks}/lib/sms.js`);
  sms.doOpenSmsThread(e);
}, $apis.requireAuth('users'));

routerAdd('POST', '/api/sms/inbound', (e) => {
  const inbound: typeof import('./lib/inbound') = require(`${__hooks}/lib/inbound.js`);
  e.json(200, inbound.doReceiveText(e.app, inbound.checkInboundText(e.app, e.requestInfo().body)));
}, $apis.requireAuth('services'));

routerAdd('POST', '/api/conversations/{id}/phones', (e) => {
  const sms: typeof import('./lib/sms') = require(`${__hooks}/lib/sms.js`);
  sms.doAddGroupPhone(e);
}, $apis.requireAuth('users'));

routerAdd('DELETE', '/api/conversations/{id}/phones/{phone}', (e) => {
  const sms: typeof import('./lib/sms') = require(`${__hooks}/lib/sms.js`);
  sms.doRemoveGroupPhone(e);
}, $apis.requireAuth('users'));

routerAdd('POST', '/api/deliveries/{id}/retry', (e) => {
  const sms: typeof import('./lib/sms') = require(`${__hooks}/lib/sms.js`);
  sms.doRetryDelivery(e);
}, $apis.requireAuth('users'));

onRecordUpdateRequest((e) => {
  const numbers: typeof import('./lib/numbers-admin') = require(`${__hooks}/lib/numbers-admin.js`);
  numbers.doUpdateNumber(e);
}, 'numbers');

onRecordDeleteRequest((e) => {
  const numbers: typeof import('./lib/numbers-admin') = require(`${__hooks}/lib/numbers-admin.js`);
  numbers.doDeleteNumber(e);
}, 'numbers');

onRecordCreateRequest((e) => {
  const numbers: typeof import('./lib/numbers-admin') = require(`${__hooks}/lib/numbers-admin.js`);
  numbers.doCreateNumber(e);
}, 'numbers');

onRecordUpdateRequest((e) => {
  const settings: typeof import('./lib/settings') = require(`${__hooks}/lib/settings.js`);
  settings.checkSettings(e.record!);
  e.next();
}, 'settings');

routerAdd('GET', '/api/sms/outages', (e) => {
  const outages: typeof import('./lib/outages') = require(`${__hooks}/lib/outages.js`);
  e.json(200, { outages: outages.findOutages(e.app) });
}, $apis.requireAuth('users'));

routerAdd('POST', '/api/sms/queue-places', (e) => {
  const outages: typeof import('./lib/outages') = require(`${__hooks}/lib/outages.js`);
  const list = e.requestInfo().body.deliveries;
  const ids = Array.isArray(list) ? list.filter((x: unknown): x is string => typeof x === 'string') : [];
  e.json(200, { places: outages.findQueuePlaces(e.app, e.auth!.id, ids) });
}, $apis.requireAuth('users'));

routerAdd('POST', '/api/sms/links/{id}/cancel-waiting', (e) => {
  const audit: typeof import('./lib/audit') = require(`${__hooks}/lib/audit.js`);
  const outages: typeof import('./lib/outages') = require(`${__hooks}/lib/outages.js`);
  const actor = audit.actorOf(e.auth);
  if (!actor) throw new ForbiddenError('Only an administrator can cancel waiting texts.', null);
  const link = outages.checkCancelWaiting(e.app, e.request!.pathValue('id'));
  e.json(200, { cancelled: outages.doCancelWaiting(e.app, actor, e.realIP(), link) });
}, $apis.requireAuth('users', '_superusers'));
