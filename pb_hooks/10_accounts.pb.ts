/// <reference path="../build/pocketbase-types.d.ts" />
// Accounts: first-run setup routes and the users collection's rules that an
// API rule alone cannot express. Logic lives in lib/accounts.ts.

routerAdd('GET', '/api/setup', (e) => {
  const accounts: typeof import('./lib/accounts') = require(`${__hooks}/lib/accounts.js`);
  return e.json(200, { needs_admin: accounts.checkSetupNeeded(e.app) });
});

routerAdd('POST', '/api/setup/admin', (e) => {
  const accounts: typeof import('./lib/accounts') = require(`${__hooks}/lib/accounts.js`);
  accounts.doCreateFirstAdmin(e);
});

onRecordCreateRequest((e) => {
  const accounts: typeof import('./lib/accounts') = require(`${__hooks}/lib/accounts.js`);
  accounts.doCreateUser(e);
}, 'users');

onRecordUpdateRequest((e) => {
  const accounts: typeof import('./lib/accounts') = require(`${__hooks}/lib/accounts.js`);
  accounts.doUpdateUser(e);
}, 'users');

onRecordAuthWithPasswordRequest((e) => {
  const accounts: typeof import('./lib/accounts') = require(`${__hooks}/lib/accounts.js`);
  accounts.checkNotDisabled(e.record, e.password);
  e.next();
}, 'users');
