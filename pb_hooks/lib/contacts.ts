// The phonebook: contacts (shared when `owner` is empty, personal
// otherwise), their numbers kept in step in `contact_numbers`, the names a
// number is shown as (personal contact, shared contact, caller-name lookup),
// contact search over three sources, and imports. Personal contacts never
// leave their owner: every query here filters on the caller. Imports only
// lower modules (http, settings, realtime); inbound.ts imports it.
import { badField } from './http';
import { findSettings } from './settings';
import { doPublish } from './realtime';
import { checkPhone } from '../../src/lib/domain/phone';
import { cleanLabel } from '../../src/lib/domain/text';

/** MAX_NUMBERS is how many numbers one contact holds. */
export const MAX_NUMBERS = 20;
/** MAX_IMPORT_ROWS is the most rows one import takes (a 10,000-contact phonebook fits twice). */
export const MAX_IMPORT_ROWS = 20000;

/** ContactNumber is one number of a contact as stored: E.164 and a label ("mobile", "office"). */
export interface ContactNumber {
  e164: string;
  label: string;
}

/** ContactInput is a contact as a person or an import gives it: numbers in any common form. */
export interface ContactInput {
  name: string;
  company: string;
  email: string;
  notes: string;
  numbers: { number: string; label: string }[];
}

/** canEditShared says whether a user may change the shared phonebook. */
export function canEditShared(user: core.Record): boolean {
  return user.getString('role') === 'admin' || user.getBool('edit_phonebook');
}

/** checkNumbers normalises a contact's numbers to E.164 (duplicates dropped), or says which one is wrong. */
export function checkNumbers(raw: unknown, country: string): { ok: true; numbers: ContactNumber[] } | { ok: false; error: string } {
  if (raw === undefined || raw === null || raw === '') return { ok: true, numbers: [] };
  if (!Array.isArray(raw)) return { ok: false, error: 'Give the numbers as a list of {e164, label}.' };
  const out: ContactNumber[] = [];
  for (const item of raw as unknown[]) {
    const typed = typeof item === 'string' ? item : item && typeof item === 'object' ? String((item as any).e164 ?? (item as any).number ?? '') : '';
    const label = item && typeof item === 'object' ? cleanLabel(String((item as any).label ?? '')).slice(0, 40) : '';
    if (!typed.trim()) continue;
    const r = checkPhone(typed, country);
    if (!r.ok) return { ok: false, error: r.error };
    if (!out.some((n) => n.e164 === r.e164)) out.push({ e164: r.e164, label });
  }
  if (out.length > MAX_NUMBERS) return { ok: false, error: `A contact holds at most ${MAX_NUMBERS} numbers.` };
  return { ok: true, numbers: out };
}

/** checkEmail refuses what is plainly not an e-mail address ('' is fine). */
export function checkEmail(raw: string): string {
  const email = raw.trim();
  if (email && !/^[^\s@]+@[^\s@]+$/.test(email)) return `${email} is not an e-mail address.`;
  return '';
}

/** checkContact cleans a contact record about to be saved: name, numbers, e-mail; refusals name the field. */
export function checkContact(app: CoreApp, record: core.Record): void {
  const name = cleanLabel(record.getString('name'));
  if (!name) badField('name', 'Give the contact a name.');
  record.set('name', name);
  record.set('company', cleanLabel(record.getString('company')));
  const numbers = checkNumbers(JSON.parse(record.getString('numbers') || 'null'), findSettings(app).getString('default_country'));
  if (!numbers.ok) badField('numbers', numbers.error);
  record.set('numbers', numbers.numbers);
  const emailError = checkEmail(record.getString('email'));
  if (emailError) badField('email', emailError);
  record.set('email', record.getString('email').trim());
  // groups belong to the shared phonebook (docs/broadcasts.md)
  if (record.getString('owner') && record.getStringSlice('groups').length) badField('groups', 'Groups are for shared contacts; a personal contact cannot be in one.');
}

/** doSyncNumbers makes a contact's `contact_numbers` rows match its `numbers` (rows of numbers it keeps stay, with their ids). */
export function doSyncNumbers(app: CoreApp, contact: core.Record): void {
  const want = numbersOf(contact);
  const have = app.findRecordsByFilter('contact_numbers', 'contact = {:c}', '', 0, 0, { c: contact.id });
  for (const row of have) {
    const keep = want.find((n) => n.e164 === row!.getString('e164'));
    if (!keep) app.delete(row!);
    else if (keep.label !== row!.getString('label') || row!.getString('owner') !== contact.getString('owner')) {
      row!.set('label', keep.label);
      row!.set('owner', contact.getString('owner'));
      app.save(row!);
    }
  }
  const collection = app.findCollectionByNameOrId('contact_numbers');
  for (const n of want) {
    if (have.some((row) => row!.getString('e164') === n.e164)) continue;
    const row = new Record(collection);
    row.set('contact', contact.id);
    row.set('owner', contact.getString('owner'));
    row.set('e164', n.e164);
    row.set('label', n.label);
    app.save(row);
  }
}

/** numbersOf reads a contact's stored numbers. */
export function numbersOf(contact: core.Record): ContactNumber[] {
  const raw = JSON.parse(contact.getString('numbers') || '[]');
  return Array.isArray(raw) ? raw : [];
}

/** doSaveContactRequest runs a contact create or update request: checked, saved and indexed in one transaction, then published. */
export function doSaveContactRequest(e: core.RecordRequestEvent): void {
  const record = e.record!;
  checkContact(e.app, record);
  const app = e.app;
  try {
    app.runInTransaction((tx) => {
      e.app = tx;
      e.next();
      doSyncNumbers(tx, record);
    });
  } finally {
    e.app = app;
  }
  doPublishContact(app, record, false);
}

/** doPublishContact tells the inboxes that may see a contact that it changed (or is gone), so names follow at once. */
export function doPublishContact(app: CoreApp, contact: core.Record, deleted: boolean): void {
  const owner = contact.getString('owner');
  const users = owner ? [owner] : findActiveUsers(app);
  doPublish(app, users, { type: 'contact', contact, deleted });
}

/** doPublishPhonebook tells the inboxes that may see a whole batch of contacts (an import) to read names again. */
export function doPublishPhonebook(app: CoreApp, owner: string): void {
  doPublish(app, owner ? [owner] : findActiveUsers(app), { type: 'phonebook' });
}

function findActiveUsers(app: CoreApp): string[] {
  return app.findRecordsByFilter('users', 'disabled = false', '', 0, 0).map((u) => u!.id);
}

/** NameSource says where a shown name comes from: the caller's own contact, the shared phonebook, or the network (CNAM). */
export type NameSource = 'personal' | 'shared' | 'cnam';

/** FoundName is the name a number is shown as. */
export interface FoundName {
  name: string;
  source: NameSource;
  contact?: string;
}

/**
 * findNames returns the names of phones as one user sees them: their
 * personal contact, then the shared phonebook, then a caller-name lookup.
 * `userId` '' looks at the shared phonebook only (what an SMS may say).
 */
export function findNames(app: CoreApp, phones: string[], userId: string): { [phone: string]: FoundName } {
  const out: { [phone: string]: FoundName } = {};
  if (phones.length === 0) return out;
  const params: { [k: string]: string } = { u: userId };
  const list = phones.map((p, i) => ((params[`p${i}`] = p), `{:p${i}}`)).join(',');
  const rows = arrayOf(new DynamicModel({ e164: '', name: '', owner: '', contact: '' }));
  app
    .db()
    .newQuery(
      `SELECT n.e164 AS e164, c.name AS name, n.owner AS owner, c.id AS contact
         FROM contact_numbers n JOIN contacts c ON c.id = n.contact
        WHERE n.e164 IN (${list}) AND (n.owner = '' OR (n.owner = {:u} AND {:u} != ''))
        ORDER BY n.owner = '', c.name`,
    )
    .bind(params)
    .all(rows);
  for (const r of rows) if (!out[r.e164]) out[r.e164] = { name: r.name, source: r.owner ? 'personal' : 'shared', contact: r.contact };
  const missing = phones.filter((p) => !out[p]);
  if (missing.length && userId) {
    const cnam = arrayOf(new DynamicModel({ phone: '', name: '' }));
    const p2: { [k: string]: string } = {};
    const l2 = missing.map((p, i) => ((p2[`p${i}`] = p), `{:p${i}}`)).join(',');
    app.db().newQuery(`SELECT phone, name FROM caller_names WHERE phone IN (${l2}) AND name != ''`).bind(p2).all(cnam);
    for (const r of cnam) out[r.phone] = { name: r.name, source: 'cnam' };
  }
  return out;
}

/** checkPhoneList reads the names route's body: a list of at most 500 phones. */
export function checkPhoneList(body: { [key: string]: any }): string[] {
  const raw = body.phones;
  if (!Array.isArray(raw)) badField('phones', 'Give a list of phone numbers.');
  if (raw.length > 500) badField('phones', 'Ask for at most 500 numbers at once.');
  return (raw as unknown[]).filter((p): p is string => typeof p === 'string' && p.length <= 20);
}

/** SearchHit is one result of contact search. */
export type SearchHit =
  | { source: 'phonebook'; contact: string; name: string; company: string; e164: string; label: string; personal: boolean }
  | { source: 'directory'; user: string; name: string; extension: string }
  | { source: 'recent'; e164: string; name: string; cnam: boolean; last_at: string };

/** SearchResult is contact search's answer: three labelled sources, each in its own order. */
export interface SearchResult {
  phonebook: SearchHit[];
  directory: SearchHit[];
  recent: SearchHit[];
}

/** likeEscape makes text safe inside a LIKE pattern with ESCAPE '\'. */
function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => '\\' + c);
}

/** searchDigits is the digits of a query, for matching any part of a number ("(415)", "555 01", "+1415"). */
export function searchDigits(q: string): string {
  const digits = q.replace(/\D/g, '');
  // a national form starts with a trunk 0 that E.164 drops ("020 7946" in +44 20 7946…)
  return digits.replace(/^0+/, '');
}

/**
 * findContacts searches the phonebook (the caller's personal contacts
 * first, then shared ones), the extension directory and the caller's recent
 * correspondents for a name, company or any part of a number.
 */
export function findContacts(app: CoreApp, userId: string, q: string, limit: number): SearchResult {
  // SQLite's LIKE ignores ASCII case by itself: no lower() per row
  const text = q.trim().toLowerCase();
  const digits = searchDigits(q);
  // a query of digits and number punctuation searches numbers only
  const numeric = digits !== '' && /^[\d\s()+\-.\/]+$/.test(q.trim());
  const like = `%${likeEscape(text)}%`;
  const prefix = `${likeEscape(text)}%`;
  const numberLike = digits ? `%${digits}%` : '';
  const nameMatch = numeric ? '0' : `(c.name LIKE {:like} ESCAPE '\\' OR c.company LIKE {:like} ESCAPE '\\')`;
  const numberMatch = digits ? `n.e164 LIKE {:num}` : '0';
  const matches = text ? `(${nameMatch} OR ${numberMatch})` : '1';
  const phonebook = arrayOf(new DynamicModel({ contact: '', name: '', company: '', e164: '', label: '', owner: '' }));
  app
    .db()
    .newQuery(
      `SELECT c.id AS contact, c.name AS name, c.company AS company, n.e164 AS e164, n.label AS label, n.owner AS owner
         FROM contact_numbers n JOIN contacts c ON c.id = n.contact
        WHERE (n.owner = '' OR n.owner = {:u}) AND ${matches}
        ORDER BY n.owner = '', c.name LIKE {:prefix} ESCAPE '\\' DESC, n.e164 LIKE {:numPrefix} DESC, c.name, n.e164
        LIMIT {:limit}`,
    )
    .bind({ u: userId, like, prefix, num: numberLike, numPrefix: digits ? `+${digits}%` : '', limit })
    .all(phonebook);

  const directory = arrayOf(new DynamicModel({ id: '', name: '', extension: '' }));
  if (text) {
    app
      .db()
      .newQuery(
        `SELECT id, name, extension FROM users
          WHERE disabled = 0 AND id != {:u} AND (${numeric ? '0' : `name LIKE {:like} ESCAPE '\\'`} OR (${digits ? '1' : '0'} AND extension LIKE {:num}))
          ORDER BY name LIKE {:prefix} ESCAPE '\\' DESC, name LIMIT {:limit}`,
      )
      .bind({ u: userId, like, prefix, num: numberLike, limit })
      .all(directory);
  }

  const shown = new Set<string>();
  for (const r of phonebook) shown.add(r.e164);
  const recent = arrayOf(new DynamicModel({ phone: '', name: '', last_at: '' }));
  const recentMatch = text ? `(${numeric ? '0' : `coalesce(cn.name, '') LIKE {:like} ESCAPE '\\'`} OR ${digits ? 'p.phone LIKE {:num}' : '0'})` : '1';
  app
    .db()
    .newQuery(
      `SELECT p.phone AS phone, coalesce(cn.name, '') AS name, max(c.last_message_at) AS last_at
         FROM conversations c
         JOIN participants p ON p.conversation = c.id AND p.phone != ''
         LEFT JOIN caller_names cn ON cn.phone = p.phone
        WHERE EXISTS (SELECT 1 FROM json_each(c.members) WHERE json_each.value = {:u}) AND ${recentMatch}
        GROUP BY p.phone ORDER BY last_at DESC LIMIT {:limit}`,
    )
    .bind({ u: userId, like, num: numberLike, limit: limit + shown.size })
    .all(recent);

  return {
    phonebook: phonebook.map((r) => ({ source: 'phonebook', contact: r.contact, name: r.name, company: r.company, e164: r.e164, label: r.label, personal: r.owner !== '' })),
    directory: directory.map((r) => ({ source: 'directory', user: r.id, name: r.name, extension: r.extension })),
    recent: recent
      .filter((r) => !shown.has(r.phone))
      .slice(0, limit)
      .map((r) => ({ source: 'recent', e164: r.phone, name: r.name, cnam: r.name !== '', last_at: r.last_at })),
  };
}

/** checkSearch reads the search route's query: q (at most 100 characters) and limit (1–50, default 10). */
export function checkSearch(e: core.RequestEvent): { q: string; limit: number } {
  const q = (e.request!.url!.query().get('q') || '').slice(0, 100);
  const limit = Math.min(50, Math.max(1, parseInt(e.request!.url!.query().get('limit') || '10', 10) || 10));
  return { q, limit };
}

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * doInsertChecked writes a new contact that the import has already checked
 * (name cleaned, numbers E.164, lengths within the schema's limits) and its
 * contact_numbers rows with plain INSERTs: a record save costs about 5 ms
 * in the JS VM, which made a 10,000-contact import take most of a minute.
 */
function doInsertChecked(app: CoreApp, c: core.Record): void {
  const now = new Date().toISOString().replace('T', ' ');
  const id = $security.randomStringWithAlphabet(15, ID_ALPHABET);
  const numbers = numbersOf(c);
  app
    .db()
    .newQuery('INSERT INTO contacts (id, name, company, owner, numbers, email, notes, created, updated) VALUES ({:id}, {:name}, {:company}, {:owner}, {:numbers}, {:email}, {:notes}, {:now}, {:now})')
    .bind({ id, name: c.getString('name'), company: c.getString('company'), owner: c.getString('owner'), numbers: JSON.stringify(numbers), email: c.getString('email'), notes: c.getString('notes'), now })
    .execute();
  for (const n of numbers) {
    app
      .db()
      .newQuery('INSERT INTO contact_numbers (id, contact, owner, e164, label) VALUES ({:id}, {:contact}, {:owner}, {:e164}, {:label})')
      .bind({ id: $security.randomStringWithAlphabet(15, ID_ALPHABET), contact: id, owner: c.getString('owner'), e164: n.e164, label: n.label })
      .execute();
  }
}

/** ImportReport says what an import did (or, as a dry run, would do), row by row for the refusals. */
export interface ImportReport {
  created: number;
  merged: number;
  rejected: { row: number; reason: string }[];
  dry_run: boolean;
}

/** checkImport reads an import request: rows of contacts, whether they go to the shared phonebook, dry run or not. */
export function checkImport(user: core.Record, body: { [key: string]: any }): { rows: unknown[]; shared: boolean; dryRun: boolean } {
  if (!Array.isArray(body.rows)) badField('rows', 'Give the contacts as a list of rows.');
  if (body.rows.length === 0) badField('rows', 'The file has no contacts in it.');
  if (body.rows.length > MAX_IMPORT_ROWS) badField('rows', `An import takes at most ${MAX_IMPORT_ROWS} contacts; split the file.`);
  const shared = body.shared === true;
  if (shared && !canEditShared(user)) badField('shared', 'Only administrators and people they allow edit the shared phonebook.');
  return { rows: body.rows, shared, dryRun: body.dry_run === true };
}

/**
 * doImportContacts adds rows to the caller's personal phonebook (or the
 * shared one) in one transaction. A row whose number is already in that
 * phonebook (or earlier in the file) merges into that contact: new numbers
 * added, empty fields filled. A row that cannot be read is reported with its
 * reason and nothing of it is written; the others go in. A dry run reports
 * the same without writing.
 */
export function doImportContacts(app: CoreApp, user: core.Record, rows: unknown[], shared: boolean, dryRun: boolean): ImportReport {
  const owner = shared ? '' : user.id;
  const country = findSettings(app).getString('default_country');
  const report: ImportReport = { created: 0, merged: 0, rejected: [], dry_run: dryRun };
  const run = (tx: CoreApp) => {
    const collection = tx.findCollectionByNameOrId('contacts');
    // number → contact, for this phonebook; filled as rows go in
    const byNumber = new Map<string, core.Record>();
    const existing = tx.findRecordsByFilter('contacts', 'owner = {:o}', '', 0, 0, { o: owner });
    for (const c of existing) for (const n of numbersOf(c!)) byNumber.set(n.e164, c!);
    const touched = new Set<core.Record>();
    const fresh = new Set<core.Record>();
    rows.forEach((raw, i) => {
      const row = (raw && typeof raw === 'object' ? raw : {}) as { [k: string]: any };
      const name = cleanLabel(String(row.name ?? '')).slice(0, 200);
      const numbers = checkNumbers(row.numbers, country);
      if (!numbers.ok) return void report.rejected.push({ row: i + 1, reason: numbers.error });
      if (numbers.numbers.length === 0) return void report.rejected.push({ row: i + 1, reason: 'No phone number.' });
      const emailError = checkEmail(String(row.email ?? ''));
      if (emailError) return void report.rejected.push({ row: i + 1, reason: emailError });
      const company = cleanLabel(String(row.company ?? '')).slice(0, 200);
      if (!name && !company) return void report.rejected.push({ row: i + 1, reason: 'No name.' });
      let contact = numbers.numbers.map((n) => byNumber.get(n.e164)).find((c) => c);
      if (contact) {
        if (!fresh.has(contact) && !touched.has(contact)) report.merged++;
        const have = numbersOf(contact);
        for (const n of numbers.numbers) if (!have.some((h) => h.e164 === n.e164)) have.push(n);
        if (have.length > MAX_NUMBERS) return void report.rejected.push({ row: i + 1, reason: `Merging it would give one contact more than ${MAX_NUMBERS} numbers.` });
        contact.set('numbers', have);
        for (const [field, value] of [['company', company], ['email', String(row.email ?? '').trim()], ['notes', String(row.notes ?? '').slice(0, 5000)]]) {
          if (value && !contact.getString(field)) contact.set(field, value);
        }
        if (!contact.getString('name') && name) contact.set('name', name);
        touched.add(contact);
      } else {
        contact = new Record(collection);
        contact.set('name', name || company);
        contact.set('company', company);
        contact.set('owner', owner);
        contact.set('numbers', numbers.numbers);
        contact.set('email', String(row.email ?? '').trim().slice(0, 320));
        contact.set('notes', String(row.notes ?? '').slice(0, 5000));
        fresh.add(contact);
        touched.add(contact);
        report.created++;
      }
      for (const n of numbers.numbers) byNumber.set(n.e164, contact);
    });
    if (dryRun) return;
    for (const c of touched) {
      if (fresh.has(c)) doInsertChecked(tx, c);
      else {
        tx.save(c);
        doSyncNumbers(tx, c);
      }
    }
  };
  if (dryRun) run(app);
  else app.runInTransaction(run);
  if (!dryRun && report.created + report.merged > 0) doPublishPhonebook(app, owner);
  return report;
}
