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

// Caller-name lookup (lib/callernames.ts): the provider is configured and
// tried by admins; lookups run in the minute sweep, or at once on demand.

routerAdd('GET', '/api/caller-names/provider', (e) => {
  const cnam: typeof import('./lib/callernames') = require(`${__hooks}/lib/callernames.js`);
  if (e.auth!.getString('role') !== 'admin') throw new ForbiddenError('Only administrators configure caller-name lookup.', null);
  return e.json(200, cnam.maskedProvider(cnam.readProvider(e.app)));
}, $apis.requireAuth('users'));

routerAdd('POST', '/api/caller-names/provider', (e) => {
  const cnam: typeof import('./lib/callernames') = require(`${__hooks}/lib/callernames.js`);
  if (e.auth!.getString('role') !== 'admin') throw new ForbiddenError('Only administrators configure caller-name lookup.', null);
  const provider = cnam.checkProvider(e.requestInfo().body, cnam.readProvider(e.app));
  cnam.doSaveProvider(e.app, e.auth!, e.realIP(), provider);
  return e.json(200, cnam.maskedProvider(provider));
}, $apis.requireAuth('users'));

routerAdd('POST', '/api/caller-names/test', (e) => {
  const cnam: typeof import('./lib/callernames') = require(`${__hooks}/lib/callernames.js`);
  if (e.auth!.getString('role') !== 'admin') throw new ForbiddenError('Only administrators configure caller-name lookup.', null);
  const body = e.requestInfo().body;
  const saved = cnam.readProvider(e.app);
  const provider = body.url ? cnam.checkProvider(body, saved) : saved;
  if (!provider) throw new BadRequestError('Give the provider’s address first.', null);
  const phone = String(body.number ?? '').trim();
  if (!/^\+[1-9][0-9]{6,14}$/.test(phone)) throw new BadRequestError('Give a number to try in E.164 (+…).', null);
  return e.json(200, cnam.doFetchName(provider, phone));
}, $apis.requireAuth('users'));

routerAdd('POST', '/api/caller-names/sweep', (e) => {
  const cnam: typeof import('./lib/callernames') = require(`${__hooks}/lib/callernames.js`);
  if (e.auth!.getString('role') !== 'admin') throw new ForbiddenError('Only administrators run the lookup sweep.', null);
  return e.json(200, cnam.doSweepCallerNames(e.app));
}, $apis.requireAuth('users'));

routerAdd('POST', '/api/caller-names/lookup', (e) => {
  const cnam: typeof import('./lib/callernames') = require(`${__hooks}/lib/callernames.js`);
  return e.json(200, cnam.doLookupNow(e.app, String(e.requestInfo().body.phone ?? '').trim()));
}, $apis.requireAuth('users'));

cronAdd('caller_names', '* * * * *', () => {
  const cnam: typeof import('./lib/callernames') = require(`${__hooks}/lib/callernames.js`);
  cnam.doSweepCallerNames($app);
});
