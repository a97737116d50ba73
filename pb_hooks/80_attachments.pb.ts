/// <reference path="../build/pocketbase-types.d.ts" />
// Attachments: uploads with the admin's limits, the media worker's results,
// the public SMS link and the admin's purge. Logic in lib/attachments.ts;
// posting a message takes its uploads in lib/messages.ts.

onRecordCreateRequest((e) => {
  const attachments: typeof import('./lib/attachments') = require(`${__hooks}/lib/attachments.js`);
  attachments.doUpload(e);
}, 'uploads');

onRecordAfterUpdateSuccess((e) => {
  const attachments: typeof import('./lib/attachments') = require(`${__hooks}/lib/attachments.js`);
  attachments.doSettleAttachment(e.app, e.record!);
  e.next();
}, 'attachments');

// what an SMS recipient opens: the one file, or a short page saying it is gone
routerAdd('GET', '/f/{token}', (e) => {
  const attachments: typeof import('./lib/attachments') = require(`${__hooks}/lib/attachments.js`);
  const a = attachments.findPublicAttachment(e.app, e.request!.pathValue('token'));
  e.response.header().set('Referrer-Policy', 'no-referrer');
  e.response.header().set('X-Robots-Tag', 'noindex, nofollow');
  if (!a) {
    e.response.header().set('Cache-Control', 'no-store');
    return e.html(404, '<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Link expired</title><p>This link has expired or does not exist.</p>');
  }
  e.response.header().set('Cache-Control', 'private, max-age=300');
  const fsys = e.app.newFilesystem();
  try {
    fsys.serve(e.response, e.request!, a.baseFilesPath() + '/' + a.getString('file'), a.getString('file'));
  } finally {
    fsys.close();
  }
});

routerAdd('POST', '/api/attachments/purge', (e) => {
  const audit: typeof import('./lib/audit') = require(`${__hooks}/lib/audit.js`);
  const attachments: typeof import('./lib/attachments') = require(`${__hooks}/lib/attachments.js`);
  const actor = audit.actorOf(e.auth);
  if (!actor) throw new ForbiddenError('Only an administrator can remove old files.', null);
  const days = attachments.checkPurgeDays(e.requestInfo().body);
  const removed = attachments.doPurgeAttachments(e.app, days);
  audit.doAudit(e.app, actor, e.realIP(), [
    { action: 'attachments_purged', target_collection: 'attachments', target_id: '', target_label: `older than ${days} days`, details: { days, removed } },
  ]);
  e.json(200, { removed });
}, $apis.requireAuth('users', '_superusers'));

cronAdd('orphan-uploads', '17 * * * *', () => {
  const attachments: typeof import('./lib/attachments') = require(`${__hooks}/lib/attachments.js`);
  attachments.doDropOrphanUploads($app);
});
