/// <reference path="../build/pocketbase-types.d.ts" />
// The phonebook: contacts checked and indexed by number, names for numbers,
// contact search over three sources, and imports. Logic in lib/contacts.ts.

onRecordCreateRequest((e) => {
  const contacts: typeof import('./lib/contacts') = require(`${__hooks}/lib/contacts.js`);
  contacts.doSaveContactRequest(e);
}, 'contacts');

onRecordUpdateRequest((e) => {
  const contacts: typeof import('./lib/contacts') = require(`${__hooks}/lib/contacts.js`);
  contacts.doSaveContactRequest(e);
}, 'contacts');

onRecordDeleteRequest((e) => {
  const contacts: typeof import('./lib/contacts') = require(`${__hooks}/lib/contacts.js`);
  e.next();
  contacts.doPublishContact(e.app, e.record!, true);
}, 'contacts');

routerAdd('POST', '/api/names', (e) => {
  const contacts: typeof import('./lib/contacts') = require(`${__hooks}/lib/contacts.js`);
  const phones = contacts.checkPhoneList(e.requestInfo().body);
  return e.json(200, contacts.findNames(e.app, phones, e.auth!.id));
}, $apis.requireAuth('users'));

routerAdd('GET', '/api/contacts/search', (e) => {
  const contacts: typeof import('./lib/contacts') = require(`${__hooks}/lib/contacts.js`);
  const { q, limit } = contacts.checkSearch(e);
  return e.json(200, contacts.findContacts(e.app, e.auth!.id, q, limit));
}, $apis.requireAuth('users'));

routerAdd('POST', '/api/contacts/import', (e) => {
  const contacts: typeof import('./lib/contacts') = require(`${__hooks}/lib/contacts.js`);
  const { rows, shared, dryRun } = contacts.checkImport(e.auth!, e.requestInfo().body);
  return e.json(200, contacts.doImportContacts(e.app, e.auth!, rows, shared, dryRun));
}, $apis.requireAuth('users'), $apis.bodyLimit(16 << 20));
