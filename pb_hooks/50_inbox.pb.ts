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

onRecordAfterCreateSuccess((e) => {
  // the bridge's wake-up call (lib/realtime.ts, QUEUED)
  if (e.record!.getString('status') === 'queued') {
    const realtime: typeof import('./lib/realtime') = require(`${__hooks}/lib/realtime.js`);
    realtime.doPublishQueued(e.app, 'create', e.record!);
  }
  e.next();
}, 'deliveries');

onRecordAfterUpdateSuccess((e) => {
  // queued and sending look the same to a person ("sending"): the bridge's
  // claim need not cost a lookup and a broadcast per delivery
  if (e.record!.getString('status') === 'sending') return e.next();
  const realtime: typeof import('./lib/realtime') = require(`${__hooks}/lib/realtime.js`);
  if (e.record!.getString('status') === 'queued') realtime.doPublishQueued(e.app, 'update', e.record!);
  const { conversation, members } = realtime.findMessageMembers(e.app, e.record!.getString('message'));
  realtime.doPublish(e.app, members, { type: 'delivery', delivery: e.record, conversation });
  // the sidebar marks a conversation whose newest text failed
  const threads: typeof import('./lib/threads') = require(`${__hooks}/lib/threads.js`);
  const marked = threads.doMarkFailed(e.app, e.record!.getString('message'), e.record!.getString('status'));
  if (marked) realtime.doPublish(e.app, members, { type: 'conversation', conversation: marked });
  e.next();
}, 'deliveries');

onRecordAfterCreateSuccess((e) => {
  const realtime: typeof import('./lib/realtime') = require(`${__hooks}/lib/realtime.js`);
  const conversation = e.record!.getString('conversation');
  realtime.doPublish(e.app, realtime.findMembers(e.app, conversation), { type: 'participant', participant: e.record });
  e.next();
}, 'participants');
