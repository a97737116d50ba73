// Caller-name lookup (CNAM): an HTTP provider the admin configures asked
// for the name of a number that texts in and no contact names. A first text
// only marks the number as wanted (one indexed write in the inbound
// transaction); the lookup runs in the minute sweep (cron), outside any
// transaction, rate limited, and fails quietly: logged, stored as the
// entry's error, retried later. Answers, misses included, are cached for the
// provider's time-to-live. Without a provider nothing is marked or called.
// Imports only lower modules (http, settings, realtime, audit).
import { badField, bodyString } from './http';
import { findSettings } from './settings';
import { doPublish } from './realtime';
import { actorOf, doAudit, labelOf } from './audit';

/** Provider is the admin's lookup configuration (settings.cnam_provider, hidden from other readers). */
export interface Provider {
  /** the URL with {number} (E.164, encoded) or {digits} where the number goes */
  url: string;
  /** an optional header sent with each request, e.g. Authorization */
  header_name: string;
  header_value: string;
  /** where the name is in the JSON answer, dotted ("data.caller.name") */
  name_path: string;
  /** what the name's source is called ("OpenCNAM") */
  label: string;
  ttl_days: number;
  per_minute: number;
  timeout_s: number;
}

/** RETRY_MS is how long a failed lookup waits before the next try. */
export const RETRY_MS = 10 * 60 * 1000;

/** FetchResult is one answer from the provider: a name ('' for a miss) or why there is none, and what it sent. */
export type FetchResult = { ok: true; name: string; status: number; raw: string } | { ok: false; error: string; status: number; raw: string };

/** readProvider returns the configured provider, or null when none is. */
export function readProvider(app: CoreApp): Provider | null {
  let raw: any;
  try {
    raw = JSON.parse(findSettings(app).getString('cnam_provider') || 'null');
  } catch (_) {
    return null;
  }
  if (!raw || typeof raw !== 'object' || typeof raw.url !== 'string' || !raw.url) return null;
  return withDefaults(raw);
}

function withDefaults(raw: { [k: string]: any }): Provider {
  const num = (v: unknown, d: number, min: number, max: number) => (typeof v === 'number' && v >= min && v <= max ? v : d);
  return {
    url: String(raw.url ?? ''),
    header_name: String(raw.header_name ?? ''),
    header_value: String(raw.header_value ?? ''),
    name_path: String(raw.name_path ?? '') || 'name',
    label: String(raw.label ?? '') || 'caller-name lookup',
    ttl_days: num(raw.ttl_days, 30, 0.0001, 3650),
    per_minute: num(raw.per_minute, 20, 1, 600),
    timeout_s: num(raw.timeout_s, 5, 1, 30),
  };
}

/** checkProvider reads a provider from a request body ({} or url '' switches lookup off). */
export function checkProvider(body: { [k: string]: any }, current: Provider | null): Provider | null {
  const url = bodyString(body, 'url');
  if (!url) return null;
  if (!/^https?:\/\/[^\s]+$/.test(url)) badField('url', 'The address must start with http:// or https://.');
  if (!url.includes('{number}') && !url.includes('{digits}')) badField('url', 'Put {number} (or {digits}) where the phone number goes in the address.');
  const header = bodyString(body, 'header_name');
  if (header && !/^[A-Za-z0-9-]+$/.test(header)) badField('header_name', 'A header name has only letters, digits and -.');
  const p = withDefaults({ ...body, url });
  // an empty value keeps the stored secret (the form never sees it)
  if (!p.header_value && current && current.header_name === p.header_name) p.header_value = current.header_value;
  return p;
}

/** maskedProvider is the provider as the settings page sees it: the header's value never leaves the server. */
export function maskedProvider(p: Provider | null): { [k: string]: unknown } {
  if (!p) return { url: '' };
  return { ...p, header_value: '', header_value_set: p.header_value !== '' };
}

/** doSaveProvider stores the provider configuration and logs it as a settings change (only as "changed": it may hold a key). */
export function doSaveProvider(app: CoreApp, admin: core.Record, ip: string, provider: Provider | null): void {
  app.runInTransaction((tx) => {
    const s = findSettings(tx);
    s.set('cnam_provider', provider);
    tx.save(s);
    const actor = actorOf(admin);
    if (actor) doAudit(tx, actor, ip, [{ action: 'settings_updated', target_collection: 'settings', target_id: s.id, target_label: labelOf(s), details: { changes: { cnam_provider: { changed: true } } } }]);
  });
}

/** nameAt reads a dotted path in a JSON value: a non-empty string, else ''. */
export function nameAt(value: unknown, path: string): string {
  let at: any = value;
  for (const key of path.split('.')) {
    if (at === null || typeof at !== 'object') return '';
    at = at[key];
  }
  return typeof at === 'string' ? at.trim().slice(0, 200) : '';
}

/** doFetchName asks the provider for a number's name. It never throws: a failure comes back as a sentence. */
export function doFetchName(provider: Provider, phone: string): FetchResult {
  const url = provider.url.split('{number}').join(encodeURIComponent(phone)).split('{digits}').join(phone.replace(/\D/g, ''));
  const headers: { [k: string]: string } = { Accept: 'application/json' };
  if (provider.header_name) headers[provider.header_name] = provider.header_value;
  let res: ReturnType<typeof $http.send>;
  try {
    res = $http.send({ url, method: 'GET', headers, timeout: provider.timeout_s });
  } catch (err) {
    const msg = String(err);
    const timedOut = /timeout|deadline|Client\.Timeout/i.test(msg);
    return { ok: false, status: 0, raw: '', error: timedOut ? `The provider did not answer within ${provider.timeout_s} s.` : `The provider could not be reached (${msg.slice(0, 200)}).` };
  }
  const raw = toString(res.body, 4000);
  // an unknown number is often a 404: a miss, not a failure
  if (res.statusCode === 404) return { ok: true, status: 404, raw, name: '' };
  if (res.statusCode < 200 || res.statusCode > 299) return { ok: false, status: res.statusCode, raw, error: `The provider answered ${res.statusCode}.` };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (_) {
    return { ok: false, status: res.statusCode, raw, error: 'The provider’s answer is not JSON.' };
  }
  return { ok: true, status: res.statusCode, raw, name: nameAt(json, provider.name_path) };
}

function nowIso(offsetMs = 0): string {
  return new Date(Date.now() + offsetMs).toISOString().replace('T', ' ');
}

/**
 * doWantCallerName marks a number that texted in for lookup, when a
 * provider is configured, no contact names it and its cached answer is
 * missing or older than the time-to-live. Runs in the inbound transaction.
 */
export function doWantCallerName(app: CoreApp, phone: string): void {
  if (!phone.startsWith('+')) return;
  const provider = readProvider(app);
  if (!provider) return;
  const named = arrayOf(new DynamicModel({ n: 0 }));
  app.db().newQuery('SELECT 1 AS n FROM contact_numbers WHERE e164 = {:p} LIMIT 1').bind({ p: phone }).all(named);
  if (named.length) return;
  let row: core.Record;
  try {
    row = app.findFirstRecordByData('caller_names', 'phone', phone);
  } catch (_) {
    row = new Record(app.findCollectionByNameOrId('caller_names'));
    row.set('phone', phone);
  }
  if (row.getString('wanted_at')) return;
  const fetched = row.getString('fetched_at');
  if (fetched && fetched > nowIso(-provider.ttl_days * 86400000)) return;
  row.set('wanted_at', nowIso());
  app.save(row);
}

/** lookupsInLastMinute counts the provider calls of the last minute (answers and failures), for the rate limit. */
function lookupsInLastMinute(app: CoreApp): number {
  const rows = arrayOf(new DynamicModel({ n: 0 }));
  app
    .db()
    .newQuery("SELECT count(*) AS n FROM caller_names WHERE fetched_at >= {:cutoff} OR (error != '' AND retry_at >= {:failedCutoff})")
    .bind({ cutoff: nowIso(-60000), failedCutoff: nowIso(RETRY_MS - 60000) })
    .all(rows);
  return rows[0].n;
}

/** doStoreAnswer writes a provider's answer (or failure) into the cache and tells everyone a new name. */
function doStoreAnswer(app: CoreApp, row: core.Record, provider: Provider, result: FetchResult): void {
  if (result.ok) {
    row.set('name', result.name);
    row.set('source', provider.label);
    row.set('fetched_at', nowIso());
    row.set('wanted_at', '');
    row.set('retry_at', '');
    row.set('error', '');
  } else {
    row.set('error', result.error);
    row.set('retry_at', nowIso(RETRY_MS));
    app.logger().warn('caller-name lookup failed', 'phone', row.getString('phone'), 'error', result.error);
  }
  app.save(row);
  if (result.ok && result.name) {
    const users = app.findRecordsByFilter('users', 'disabled = false', '', 0, 0).map((u) => u!.id);
    doPublish(app, users, { type: 'caller_name', caller_name: { phone: row.getString('phone'), name: result.name } });
  }
}

/** doSweepCallerNames looks up the wanted numbers, as many as the rate limit leaves this minute; returns how many it asked. */
export function doSweepCallerNames(app: CoreApp): { looked_up: number; failed: number } {
  const provider = readProvider(app);
  const out = { looked_up: 0, failed: 0 };
  if (!provider) return out;
  const budget = provider.per_minute - lookupsInLastMinute(app);
  if (budget <= 0) return out;
  const rows = app.findRecordsByFilter('caller_names', "wanted_at != '' && (retry_at = '' || retry_at <= {:now})", 'wanted_at', budget, 0, { now: nowIso() });
  for (const row of rows) {
    const result = doFetchName(provider, row!.getString('phone'));
    doStoreAnswer(app, row!, provider, result);
    if (result.ok) out.looked_up++;
    else out.failed++;
  }
  return out;
}

/** doLookupNow asks the provider about one number at once (a person pressed "Look up"), within the rate limit. */
export function doLookupNow(app: CoreApp, phone: string): { name: string; source: string; error: string } {
  const provider = readProvider(app);
  if (!provider) throw new BadRequestError('No caller-name provider is configured. An administrator sets one in Admin → Settings.', null);
  if (!/^\+[1-9][0-9]{6,14}$/.test(phone)) badField('phone', 'Give the number in E.164 (+…).');
  if (lookupsInLastMinute(app) >= provider.per_minute) throw new TooManyRequestsError('Too many lookups this minute; try again shortly.', null);
  let row: core.Record;
  try {
    row = app.findFirstRecordByData('caller_names', 'phone', phone);
  } catch (_) {
    row = new Record(app.findCollectionByNameOrId('caller_names'));
    row.set('phone', phone);
  }
  const result = doFetchName(provider, phone);
  doStoreAnswer(app, row, provider, result);
  return { name: row.getString('name'), source: row.getString('source'), error: result.ok ? '' : result.error };
}
