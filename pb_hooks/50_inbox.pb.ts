/// <reference path="../build/pocketbase-types.d.ts" />
// Feeds the `inbox` realtime topic after each committed change (see
// lib/realtime.ts for why it exists).

onRecordAfterCreateSuccess((e) => {
  const realtime: typeof import('./lib/realtime') = require(`${__hooks}/lib/realtime.js`);
  const conversation = e.record!.getString('conversation');
  realtime.doPublish(e.app, realtime.findMembers(e.app, conversation), { type: 'message', message: e.record });
  e.next();
}, 'messages');

onRecordAfterUpdateSuccess((e) => {
  const realtime: typeof import('./lib/realtime') = require(`${__hooks}/lib/realtime.js`);
  const conversation = e.record!.getString('conversation');
  realtime.doPublish(e.app, realtime.findMembers(e.app, conversation), { type: 'participant', participant: e.record });
  e.next();
}, 'participants');

onRecordAfterCreateSuccess((e) => {
  const realtime: typeof import('./lib/realtime') = require(`${__hooks}/lib/realtime.js`);
  realtime.doPublish(e.app, e.record!.getStringSlice('members'), { type: 'conversation', conversation: e.record });
  e.next();
}, 'conversations');

onRecordAfterUpdateSuccess((e) => {
  const realtime: typeof import('./lib/realtime') = require(`${__hooks}/lib/realtime.js`);
  realtime.doPublish(e.app, e.record!.getStringSlice('members'), { type: 'conversation', conversation: e.record });
  e.next();
}, 'conversations');

onRecordAfterUpdateSuccess((e) => {
  // queued and sending look the same to a person ("sending"): the bridge's
  // claim need not cost a lookup and a broadcast per delivery
  if (e.record!.getString('status') === 'sending') return e.next();
  const realtime: typeof import('./lib/realtime') = require(`${__hooks}/lib/realtime.js`);
  const threads: typeof import('./lib/threads') = require(`${__hooks}/lib/threads.js`);
  const message = e.app.findRecordById('messages', e.record!.getString('message'));
  const conversation = e.app.findRecordById('conversations', message.getString('conversation'));
  const members = conversation.getStringSlice('members');
  realtime.doPublish(e.app, members, { type: 'delivery', delivery: e.record, conversation: conversation.id });
  // the sidebar marks a conversation whose newest text failed
  if (threads.doMarkFailed(e.app, conversation, message, e.record!.getString('status'))) {
    realtime.doPublish(e.app, members, { type: 'conversation', conversation });
  }
  e.next();
}, 'deliveries');

onRecordAfterCreateSuccess((e) => {
  const realtime: typeof import('./lib/realtime') = require(`${__hooks}/lib/realtime.js`);
  const conversation = e.record!.getString('conversation');
  realtime.doPublish(e.app, realtime.findMembers(e.app, conversation), { type: 'participant', participant: e.record });
  e.next();
}, 'participants');
