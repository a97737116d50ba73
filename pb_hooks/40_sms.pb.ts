/// <reference path="../build/pocketbase-types.d.ts" />
// SMS: open a thread with a phone number, and the bridge's inbound route.
// Logic in lib/sms.ts; outbound deliveries are queued by lib/messages.ts.

routerAdd('POST', '/api/conversations/sms', (e) => {
  const sms: typeof import('./lib/sms') = require(`${__hooks}/lib/sms.js`);
  sms.doOpenSmsThread(e);
}, $apis.requireAuth('users'));

routerAdd('POST', '/api/sms/inbound', (e) => {
  const sms: typeof import('./lib/sms') = require(`${__hooks}/lib/sms.js`);
  sms.doStoreInbound(e);
}, $apis.requireAuth('services'));
