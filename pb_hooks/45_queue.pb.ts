/// <reference path="../build/pocketbase-types.d.ts" />
// SMS queues: agents log in and out, claim, transfer, release and close;
// the minute sweep applies the timeouts. Logic in lib/queues.ts, decisions
// in src/lib/domain/queue.ts.

routerAdd('GET', '/api/queues/mine', (e) => {
  const queues: typeof import('./lib/queues') = require(`${__hooks}/lib/queues.js`);
  return e.json(200, { queues: queues.findMyQueues(e.app, e.auth!.id) });
}, $apis.requireAuth('users'));

routerAdd('POST', '/api/queue/sweep', (e) => {
  const queues: typeof import('./lib/queues') = require(`${__hooks}/lib/queues.js`);
  if (e.auth!.getString('role') !== 'admin') throw new ForbiddenError('Only an administrator can run the queue sweep.', null);
  // `at` (epoch ms) sweeps as of another moment: tests check timeouts without waiting them out
  const at = e.requestInfo().body.at;
  const r = queues.doSweep(e.app, typeof at === 'number' && at > 0 ? at : Date.now());
  queues.doPublishQueueChange(e.app, r.change);
  return e.json(200, { released: r.released, closed: r.closed });
}, $apis.requireAuth('users'));

routerAdd('POST', '/api/queue/{queue}/login', (e) => {
  const queues: typeof import('./lib/queues') = require(`${__hooks}/lib/queues.js`);
  const change = queues.doQueueLogin(e.app, e.auth!, e.request!.pathValue('queue'), true);
  queues.doPublishQueueChange(e.app, change);
  return e.json(200, { queues: queues.findMyQueues(e.app, e.auth!.id) });
}, $apis.requireAuth('users'));

routerAdd('POST', '/api/queue/{queue}/logout', (e) => {
  const queues: typeof import('./lib/queues') = require(`${__hooks}/lib/queues.js`);
  const change = queues.doQueueLogin(e.app, e.auth!, e.request!.pathValue('queue'), false);
  queues.doPublishQueueChange(e.app, change);
  return e.json(200, { queues: queues.findMyQueues(e.app, e.auth!.id) });
}, $apis.requireAuth('users'));

routerAdd('POST', '/api/queue/{conversation}/claim', (e) => {
  const queues: typeof import('./lib/queues') = require(`${__hooks}/lib/queues.js`);
  const r = queues.doQueueCommand(e.app, e.auth!, e.request!.pathValue('conversation'), { type: 'claim' });
  queues.doPublishQueueChange(e.app, r.change);
  return e.json(200, r.conversation);
}, $apis.requireAuth('users'));

routerAdd('POST', '/api/queue/{conversation}/release', (e) => {
  const queues: typeof import('./lib/queues') = require(`${__hooks}/lib/queues.js`);
  const r = queues.doQueueCommand(e.app, e.auth!, e.request!.pathValue('conversation'), { type: 'release' });
  queues.doPublishQueueChange(e.app, r.change);
  return e.noContent(204);
}, $apis.requireAuth('users'));

routerAdd('POST', '/api/queue/{conversation}/close', (e) => {
  const queues: typeof import('./lib/queues') = require(`${__hooks}/lib/queues.js`);
  const reason = e.requestInfo().body.reason;
  const r = queues.doQueueCommand(e.app, e.auth!, e.request!.pathValue('conversation'), { type: 'close', reason: typeof reason === 'string' ? reason : '' });
  queues.doPublishQueueChange(e.app, r.change);
  return e.json(200, r.conversation);
}, $apis.requireAuth('users'));

routerAdd('POST', '/api/queue/{conversation}/transfer', (e) => {
  const queues: typeof import('./lib/queues') = require(`${__hooks}/lib/queues.js`);
  const to = e.requestInfo().body.to;
  const r = queues.doQueueCommand(e.app, e.auth!, e.request!.pathValue('conversation'), { type: 'transfer', to: typeof to === 'string' ? to : '' });
  queues.doPublishQueueChange(e.app, r.change);
  return e.noContent(204);
}, $apis.requireAuth('users'));

cronAdd('queue-sweep', '* * * * *', () => {
  const queues: typeof import('./lib/queues') = require(`${__hooks}/lib/queues.js`);
  const r = queues.doSweep($app, Date.now());
  queues.doPublishQueueChange($app, r.change);
});

onRecordCreateRequest((e) => {
  const queues: typeof import('./lib/queues') = require(`${__hooks}/lib/queues.js`);
  queues.checkQueue(e.app, e.record!);
  e.next();
}, 'queues');

onRecordUpdateRequest((e) => {
  const queues: typeof import('./lib/queues') = require(`${__hooks}/lib/queues.js`);
  queues.doUpdateQueue(e);
}, 'queues');
