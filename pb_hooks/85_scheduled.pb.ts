/// <reference path="../build/pocketbase-types.d.ts" />
// Scheduled sends: people schedule through the records API, anyone allowed
// cancels by route, the minute sweep sends what is due (an admin may run it
// at once). Logic in lib/scheduled.ts; docs/scheduled.md.

onRecordCreateRequest((e) => {
  const scheduled: typeof import('./lib/scheduled') = require(`${__hooks}/lib/scheduled.js`);
  scheduled.doSchedulePost(e);
}, 'scheduled_messages');

routerAdd('POST', '/api/scheduled/{id}/cancel', (e) => {
  const scheduled: typeof import('./lib/scheduled') = require(`${__hooks}/lib/scheduled.js`);
  e.json(200, scheduled.doCancelScheduled(e.app, e.auth!, e.request!.pathValue('id')));
}, $apis.requireAuth('users'));

routerAdd('POST', '/api/scheduled/sweep', (e) => {
  const scheduled: typeof import('./lib/scheduled') = require(`${__hooks}/lib/scheduled.js`);
  if (e.auth!.getString('role') !== 'admin') throw new ForbiddenError('Only an administrator can run the scheduled-send sweep.', null);
  e.json(200, scheduled.doFireDue(e.app, Date.now()));
}, $apis.requireAuth('users'));

cronAdd('scheduled-sends', '* * * * *', () => {
  const scheduled: typeof import('./lib/scheduled') = require(`${__hooks}/lib/scheduled.js`);
  scheduled.doFireDue($app, Date.now());
});

onRecordAfterCreateSuccess((e) => {
  const scheduled: typeof import('./lib/scheduled') = require(`${__hooks}/lib/scheduled.js`);
  scheduled.doPublishScheduled(e.app, e.record!);
  e.next();
}, 'scheduled_messages');

onRecordAfterUpdateSuccess((e) => {
  const scheduled: typeof import('./lib/scheduled') = require(`${__hooks}/lib/scheduled.js`);
  scheduled.doPublishScheduled(e.app, e.record!);
  e.next();
}, 'scheduled_messages');
