/// <reference path="../build/pocketbase-types.d.ts" />
// Message templates: checked when saved, and the merge values of a thread's
// phone for the compose box's preview. Logic in lib/templates.ts.

onRecordCreateRequest((e) => {
  const templates: typeof import('./lib/templates') = require(`${__hooks}/lib/templates.js`);
  templates.checkTemplate(e.app, e.record!);
  e.next();
}, 'templates');

onRecordUpdateRequest((e) => {
  const templates: typeof import('./lib/templates') = require(`${__hooks}/lib/templates.js`);
  templates.checkTemplate(e.app, e.record!);
  e.next();
}, 'templates');

routerAdd('GET', '/api/templates/fields', (e) => {
  const templates: typeof import('./lib/templates') = require(`${__hooks}/lib/templates.js`);
  const phone = templates.checkFieldsPhone(e.request!.url!.query().get('phone'));
  return e.json(200, templates.findMergeFields(e.app, e.auth!, phone));
}, $apis.requireAuth('users'));
