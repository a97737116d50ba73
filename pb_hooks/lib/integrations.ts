// Integrations: API keys for other systems (a booking tool, a shop, an alarm
// panel) and what they may do. A key is shown once and stored as its SHA-256;
// it is read from a header only, never from a URL; each key has scopes, a
// list of business numbers, an optional IP allowlist and a rate limit.
// docs/integrations.md. A feature module above numbers, audit and http.
import { badField, bodyString } from './http';
import { actorOf, doAudit, type Actor } from './audit';
import { ipAllowed, parseAllowlist } from '../../src/lib/domain/ipallow';

/** KEY_PREFIX starts every API key, so a leaked one is recognisable (secret scanners, logs). */
export const KEY_PREFIX = 'smsk_';
/** DEFAULT_RATE is how many requests a key may make per minute unless the admin says otherwise. */
export const DEFAULT_RATE = 60;
const RATE_WINDOW_MS = 60_000;
// query parameters people put keys in (playSMS's ?password=…); refused outright
const URL_KEY_PARAMS = ['api_key', 'apikey', 'key', 'token', 'access_token', 'password'];

/** Scope is what a key may do: send texts, read delivery status, receive webhooks. */
export type Scope = 'send' | 'status' | 'webhooks';
const SCOPE_WORDS: { [s in Scope]: string } = { send: 'send texts', status: 'read delivery status', webhooks: 'receive webhooks' };

/**
 * hashKey is the stored form of an API key: SHA-256, hex. A fast hash is
 * enough because the key is 256 random bits (not a password a person
 * chose): nobody can search that space from a leaked hash, so bcrypt's
 * slowness would only cost every API request ~100 ms of CPU and open a
 * CPU-exhaustion attack; an unsalted hash can also be looked up by index.
 */
export function hashKey(key: string): string {
  return $security.sha256(key);
}

/** newApiKey returns a fresh key: the prefix and 43 characters of [A-Za-z0-9] (256 bits). */
export function newApiKey(): string {
  return KEY_PREFIX + $security.randomString(43);
}

/** IntegrationInput is what an admin sets on an integration. */
interface IntegrationInput {
  [field: string]: unknown;
}

/** checkIntegrationFields validates the admin's fields on a record about to be saved (create or update). */
export function checkIntegrationFields(app: CoreApp, record: core.Record): void {
  if (!record.getString('name').trim()) badField('name', 'Give the integration a name.');
  const { errors } = parseAllowlist(record.getString('ip_allowlist'));
  if (errors.length) badField('ip_allowlist', errors.join(' '));
  const numbers = record.getStringSlice('numbers');
  const def = record.getString('default_number');
  if (def && !numbers.includes(def)) badField('default_number', 'The default number must be one of the numbers this key may text from.');
  if (record.getBool('scope_send') && numbers.length === 0) badField('numbers', 'Choose at least one business number this key may text from.');
  if (!record.getInt('rate_per_minute')) record.set('rate_per_minute', DEFAULT_RATE);
}

const ADMIN_FIELDS = ['name', 'numbers', 'default_number', 'scope_send', 'scope_status', 'scope_webhooks', 'ip_allowlist', 'rate_per_minute', 'webhook_inbound_url', 'webhook_status_url'];

/** doCreateIntegration stores a new integration with a fresh key and webhook secret; the key is returned this once. */
export function doCreateIntegration(app: CoreApp, actor: Actor, ip: string, body: IntegrationInput): { integration: core.Record; key: string } {
  const key = newApiKey();
  const record = new Record(app.findCollectionByNameOrId('integrations'));
  for (const f of ADMIN_FIELDS) if (body[f] !== undefined) record.set(f, body[f]);
  record.set('name', bodyString(body, 'name'));
  checkIntegrationFields(app, record);
  record.set('key_hash', hashKey(key));
  record.set('key_prefix', key.slice(0, KEY_PREFIX.length + 6));
  record.set('webhook_secret', 'whsec_' + $security.randomString(40));
  if (actor.id) record.set('created_by', actor.id);
  app.runInTransaction((tx) => {
    tx.save(record);
    doAudit(tx, actor, ip, [{ action: 'integration_created', target_collection: 'integrations', target_id: record.id, target_label: record.getString('name'), details: { key_prefix: record.getString('key_prefix') } }]);
  });
  return { integration: record, key };
}

/** doRevokeIntegration stops a key for good (its record and the texts it sent stay). */
export function doRevokeIntegration(app: CoreApp, actor: Actor, ip: string, id: string): core.Record {
  let record: core.Record;
  try {
    record = app.findRecordById('integrations', id);
  } catch (_) {
    throw new NotFoundError('No such integration.', null);
  }
  if (record.getString('revoked_at')) return record;
  record.set('revoked_at', new DateTime());
  app.runInTransaction((tx) => {
    tx.save(record);
    // calls not yet made are not made: the integration is gone
    tx.db().newQuery("UPDATE webhook_calls SET status = 'failed', last_error = 'The integration was revoked.' WHERE integration = {:i} AND status = 'pending'").bind({ i: record.id }).execute();
    doAudit(tx, actor, ip, [{ action: 'integration_revoked', target_collection: 'integrations', target_id: record.id, target_label: record.getString('name'), details: {} }]);
  });
  return record;
}

/** apiKeyOf reads the key a request carries in its headers: `Authorization: Bearer smsk_…` or `X-Api-Key: smsk_…`. */
function apiKeyOf(e: core.RequestEvent): string {
  const header = e.request!.header.get('X-Api-Key').trim();
  if (header) return header;
  const auth = e.request!.header.get('Authorization').trim();
  const m = /^Bearer\s+(\S+)$/i.exec(auth);
  return m && m[1].startsWith(KEY_PREFIX) ? m[1] : '';
}

/** checkNoKeyInUrl refuses a request that carries a key (or anything key-like) in its query string. */
function checkNoKeyInUrl(e: core.RequestEvent): void {
  let leaked = false;
  // the raw query: Go's url.Values hands goja slices it cannot iterate
  for (const pair of (e.request!.url!.rawQuery || '').split('&')) {
    const [name, value = ''] = pair.split('=');
    let decoded = value;
    try {
      decoded = decodeURIComponent(value.replace(/\+/g, ' '));
    } catch (_) {
      // malformed escapes: look at it as sent
    }
    if (URL_KEY_PARAMS.includes(name.toLowerCase()) || decoded.includes(KEY_PREFIX)) leaked = true;
  }
  if (leaked) {
    throw new BadRequestError(
      'API keys are accepted in a header only (Authorization: Bearer smsk_… or X-Api-Key: smsk_…), never in the URL, where proxies and logs keep them. If you sent a real key this way, revoke it under Admin → Integrations and create a new one.',
      null,
    );
  }
}

/**
 * accessApiKey returns the integration whose key the request carries, after
 * every check in order: no key in the URL, a key (not a user's session) in
 * a header, known, not revoked, from an allowed address, with the scope,
 * within its rate (429 with Retry-After). It records the key's last use.
 */
export function accessApiKey(e: core.RequestEvent, scope: Scope): core.Record {
  checkNoKeyInUrl(e);
  const key = apiKeyOf(e);
  if (!key) {
    if (e.auth) throw new UnauthorizedError('This route takes an integration\'s API key (Authorization: Bearer smsk_…), not a person\'s or a service\'s sign-in.', null);
    throw new UnauthorizedError('Send an API key in a header: Authorization: Bearer smsk_… (or X-Api-Key: smsk_…). Keys are made under Admin → Integrations.', null);
  }
  let integration: core.Record;
  try {
    integration = e.app.findFirstRecordByData('integrations', 'key_hash', hashKey(key));
  } catch (_) {
    throw new UnauthorizedError('That API key is not valid. Check it was copied whole; keys are shown once, when they are made.', null);
  }
  const revoked = integration.getString('revoked_at');
  if (revoked) throw new UnauthorizedError(`This API key (${integration.getString('name')}) was revoked on ${revoked.slice(0, 10)}.`, null);
  const ip = e.realIP();
  if (!ipAllowed(integration.getString('ip_allowlist'), ip)) {
    throw new ForbiddenError(`This API key may not be used from ${ip}; its IP allowlist does not include that address.`, null);
  }
  const allowed = integration.getBool(`scope_${scope}`);
  if (!allowed) throw new ForbiddenError(`This API key may not ${SCOPE_WORDS[scope]}. An administrator can add that under Admin → Integrations.`, null);
  checkRate(e, integration);
  doTouchKey(e.app, integration, ip);
  return integration;
}

/** checkRate counts the request in the key's current minute (shared by every hook VM) and answers 429 with Retry-After past the limit. */
function checkRate(e: core.RequestEvent, integration: core.Record): void {
  const limit = integration.getInt('rate_per_minute') || DEFAULT_RATE;
  const now = Date.now();
  const window = Math.floor(now / RATE_WINDOW_MS);
  let count = 0;
  // setFunc runs under the store's lock: the read and the increment are one step
  e.app.store().setFunc(`api-rate:${integration.id}`, (old: any) => {
    const next = old && old.w === window ? { w: window, n: old.n + 1 } : { w: window, n: 1 };
    count = next.n;
    return next;
  });
  if (count <= limit) return;
  const wait = Math.max(1, Math.ceil(((window + 1) * RATE_WINDOW_MS - now) / 1000));
  e.response.header().set('Retry-After', String(wait));
  throw new TooManyRequestsError(`This API key may make ${limit} requests a minute; try again in ${wait} s.`, null);
}

/** doTouchKey records when and from where a key was last used, at most once a minute per address (no write per request). */
function doTouchKey(app: CoreApp, integration: core.Record, ip: string): void {
  const last = integration.getDateTime('last_used_at');
  const fresh = !last.isZero() && new DateTime().unix() - last.unix() < 60;
  if (fresh && integration.getString('last_used_ip') === ip) return;
  app
    .db()
    .newQuery('UPDATE integrations SET last_used_at = {:at}, last_used_ip = {:ip} WHERE id = {:id}')
    .bind({ at: new DateTime().string(), ip, id: integration.id })
    .execute();
}

/** checkAdmin returns the acting administrator (or superuser), or refuses. */
export function checkAdmin(auth: core.Record | undefined): Actor {
  const actor = actorOf(auth);
  if (!actor) throw new ForbiddenError('Only an administrator can manage integrations.', null);
  return actor;
}
