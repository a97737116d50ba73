// Integrations against the real PocketBase: API keys (shown once, stored
// hashed, header only, scopes, revocation, IP allowlist, rate limit, last
// use), the send API (the text lands in the SMS thread marked as the
// integration's, idempotent client keys, a sentence for every refusal),
// delivery status, the OpenAPI document and the README's curl example.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordModel } from 'pocketbase';
import { createService, createUser, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';
import { readmeCurl } from '../helpers/readme';

let app: Appliance;
let admin: SignedIn, bob: SignedIn, bridge: SignedIn;
let main: RecordModel, other: RecordModel, off: RecordModel;

beforeAll(async () => {
  app = await startAppliance();
  const su = app.superuser;
  main = await su.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct' });
  other = await su.collection('numbers').create({ e164: '+12015550200', label: 'Other', sms_enabled: true, mode: 'direct' });
  off = await su.collection('numbers').create({ e164: '+12015550199', label: 'Fax', sms_enabled: false, mode: 'direct' });
  admin = await createUser(app, { name: 'Alice', extension: '100', role: 'admin' });
  bob = await createUser(app, { name: 'Bob', extension: '200' });
  await su.collection('users').update(bob.record.id, { sms_numbers: [main.id], default_number: main.id });
  bridge = await createService(app, 'bridge');
});
afterAll(() => app?.stop());

interface Made {
  integration: RecordModel;
  key: string;
  webhook_secret: string;
}

const create = (body: Record<string, unknown>) => admin.pb.send<Made>('/api/integrations', { method: 'POST', body });
const fullKey = (extra: Record<string, unknown> = {}) =>
  create({ name: 'Booking system', numbers: [main.id, off.id], default_number: main.id, scope_send: true, scope_status: true, ...extra });

/** api calls the integration API with fetch, as another system would. */
async function api(path: string, init: { method?: string; key?: string; header?: 'bearer' | 'x-api-key'; body?: unknown; token?: string } = {}) {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (init.key) {
    if (init.header === 'x-api-key') headers['X-Api-Key'] = init.key;
    else headers.Authorization = `Bearer ${init.key}`;
  }
  if (init.token) headers.Authorization = init.token;
  const res = await fetch(app.url + path, { method: init.method ?? (init.body ? 'POST' : 'GET'), headers, body: init.body ? JSON.stringify(init.body) : undefined });
  return { status: res.status, headers: res.headers, json: (await res.json()) as any };
}
const send = (key: string, body: Record<string, unknown>) => api('/api/v1/sms', { key, body });

describe('API keys', () => {
  it('shows the key once and stores only its SHA-256', async () => {
    const made = await fullKey();
    expect(made.key).toMatch(/^smsk_[A-Za-z0-9]{43}$/);
    expect(made.webhook_secret).toMatch(/^whsec_/);
    // the admin's view has no hash and no key
    const seen = await admin.pb.collection('integrations').getOne(made.integration.id);
    expect(JSON.stringify(seen)).not.toContain(made.key);
    expect(seen.key_hash).toBeUndefined();
    expect(seen.key_prefix).toBe(made.key.slice(0, 11));
    // the stored form, as the superuser reads it
    const stored = await app.superuser.collection('integrations').getOne(made.integration.id);
    expect(stored.key_hash).toBe(createHash('sha256').update(made.key).digest('hex'));
    expect(JSON.stringify(stored)).not.toContain(made.key);
    // and nobody can set it through the record API
    await admin.pb.collection('integrations').update(made.integration.id, { key_hash: 'x' }).catch(() => {});
    expect((await app.superuser.collection('integrations').getOne(made.integration.id)).key_hash).toBe(stored.key_hash);
    await expect(admin.pb.collection('integrations').update(made.integration.id, { revoked_at: '2020-01-01 00:00:00Z' })).rejects.toMatchObject({ status: 404 });
  });

  it('takes the key in Authorization: Bearer or X-Api-Key, and records its last use', async () => {
    const { key, integration } = await fullKey();
    expect(integration.last_used_at).toBe('');
    expect((await send(key, { to: '+12015550123', text: 'bearer' })).status).toBe(201);
    expect((await api('/api/v1/sms', { key, header: 'x-api-key', body: { to: '+12015550123', text: 'x-api-key' } })).status).toBe(201);
    const after = await admin.pb.collection('integrations').getOne(integration.id);
    expect(after.last_used_at).not.toBe('');
    expect(after.last_used_ip).toBe('127.0.0.1');
  });

  it('refuses a key in the URL, even with a good one in the header', async () => {
    const { key } = await fullKey();
    for (const query of [`?api_key=${key}`, `?key=${key}`, `?x=${key}`]) {
      const r = await api(`/api/v1/sms${query}`, { key, body: { to: '+12015550123', text: 'leak' } });
      expect(r.status).toBe(400);
      expect(r.json.message).toMatch(/^API keys are accepted in a header only .* never in the URL/);
    }
  });

  it("refuses no key, a wrong key, and a person's or the bridge's sign-in", async () => {
    const none = await api('/api/v1/sms', { body: { to: '+12015550123', text: 'x' } });
    expect(none.status).toBe(401);
    expect(none.json.message).toMatch(/^Send an API key in a header/);
    const wrong = await send('smsk_' + 'A'.repeat(43), { to: '+12015550123', text: 'x' });
    expect(wrong.status).toBe(401);
    expect(wrong.json.message).toMatch(/^That API key is not valid/);
    for (const who of [bob, admin, bridge]) {
      const r = await api('/api/v1/sms', { token: who.pb.authStore.token, body: { to: '+12015550123', text: 'x' } });
      expect(r.status).toBe(401);
      expect(r.json.message).toMatch(/takes an integration's API key .* not a person's or a service's sign-in/);
    }
  });

  it("is no sign-in: a key opens none of the people's routes or records", async () => {
    const { key } = await fullKey();
    for (const path of ['/api/unread', '/api/me/notices', '/api/conversations/sms']) {
      expect((await api(path, { key, method: path.endsWith('sms') ? 'POST' : 'GET', body: path.endsWith('sms') ? { to: '+12015550123' } : undefined })).status, path).toBe(401);
    }
    const listed = await api('/api/collections/messages/records', { key });
    expect(listed.status).toBe(200);
    expect(listed.json.items).toEqual([]);
  });

  it("keeps a key to its scopes: send, delivery status, and only its own deliveries", async () => {
    const sendOnly = await fullKey({ scope_status: false });
    const statusOnly = await fullKey({ scope_send: false, numbers: [], default_number: '' });
    const sent = await send(sendOnly.key, { to: '+12015550123', text: 'scoped' });
    expect(sent.status).toBe(201);
    const noStatus = await api(`/api/v1/deliveries/${sent.json.delivery}`, { key: sendOnly.key });
    expect(noStatus.status).toBe(403);
    expect(noStatus.json.message).toBe('This API key may not read delivery status. An administrator can add that under Admin → Integrations.');
    const noSend = await send(statusOnly.key, { to: '+12015550123', text: 'x' });
    expect(noSend.status).toBe(403);
    expect(noSend.json.message).toBe('This API key may not send texts. An administrator can add that under Admin → Integrations.');
    // another integration's delivery is not there for this key
    const notMine = await api(`/api/v1/deliveries/${sent.json.delivery}`, { key: statusOnly.key });
    expect(notMine.status).toBe(404);
  });

  it('stops a revoked key at once', async () => {
    const { key, integration } = await fullKey();
    expect((await send(key, { to: '+12015550123', text: 'before' })).status).toBe(201);
    await admin.pb.send(`/api/integrations/${integration.id}/revoke`, { method: 'POST' });
    const r = await send(key, { to: '+12015550123', text: 'after' });
    expect(r.status).toBe(401);
    expect(r.json.message).toMatch(/^This API key \(Booking system\) was revoked on \d{4}-\d\d-\d\d\.$/);
    // members cannot revoke
    await expect(bob.pb.send(`/api/integrations/${integration.id}/revoke`, { method: 'POST' })).rejects.toMatchObject({ status: 403 });
  });

  it('answers only from addresses on its IP allowlist', async () => {
    const { key, integration } = await fullKey({ ip_allowlist: '203.0.113.0/24' });
    const r = await send(key, { to: '+12015550123', text: 'x' });
    expect(r.status).toBe(403);
    expect(r.json.message).toBe('This API key may not be used from 127.0.0.1; its IP allowlist does not include that address.');
    await admin.pb.collection('integrations').update(integration.id, { ip_allowlist: '203.0.113.0/24\n127.0.0.0/8' });
    expect((await send(key, { to: '+12015550123', text: 'x' })).status).toBe(201);
    await expect(admin.pb.collection('integrations').update(integration.id, { ip_allowlist: 'office' })).rejects.toMatchObject({
      status: 400,
      response: { data: { ip_allowlist: { message: '"office" is not an IP address or a CIDR range (such as 203.0.113.0/24).' } } },
    });
  });

  it('limits each key to its requests per minute with 429 and Retry-After', async () => {
    const limited = await fullKey({ rate_per_minute: 2 });
    const free = await fullKey({ rate_per_minute: 2 });
    // five sends straddle at most one minute boundary, so one minute sees three
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await send(limited.key, { to: '+12015550123', text: String(i) }));
    expect(answers.slice(0, 2).map((a) => a.status)).toContain(201);
    const refused = answers.find((a) => a.status === 429)!;
    expect(refused).toBeDefined();
    const wait = Number(refused.headers.get('Retry-After'));
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(60);
    expect(refused.json.message).toBe(`This API key may make 2 requests a minute; try again in ${wait} s.`);
    // the limit is per key
    expect((await send(free.key, { to: '+12015550123', text: '1' })).status).toBe(201);
  });
});

describe('the send API', () => {
  let key: string;
  let integration: RecordModel;
  beforeAll(async () => ({ key, integration } = await fullKey({ name: 'Shop' })));

  it('puts the text in the SMS thread, marked as sent by the integration, and answers with message and delivery', async () => {
    const r = await send(key, { to: '(201) 555-0140', text: 'Your order is ready' });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ from: '+12015550100', to: '+12015550140', status: 'queued', segments: 1, encoding: 'GSM-7', duplicate: false });
    // Bob, allowed on the number, sees it in the thread like any text
    const thread = await bob.pb.send<RecordModel>('/api/conversations/sms', { method: 'POST', body: { to: '+12015550140' } });
    expect(thread.id).toBe(r.json.conversation);
    expect(thread.last_preview).toBe('Your order is ready');
    const m = await bob.pb.collection('messages').getOne(r.json.message);
    expect(m).toMatchObject({ body: 'Your order is ready', kind: 'text', author: '', author_phone: '', integration: integration.id, integration_name: 'Shop' });
    const d = await bob.pb.collection('deliveries').getOne(r.json.delivery);
    expect(d).toMatchObject({ message: m.id, to: '+12015550140', from: '+12015550100', status: 'queued' });
    const status = await api(`/api/v1/deliveries/${r.json.delivery}`, { key });
    expect(status.status).toBe(200);
    expect(status.json).toMatchObject({ id: d.id, message: m.id, status: 'queued', to: '+12015550140', from: '+12015550100', segments: 1 });
    // the bridge moves it on; the API reads the new state
    await bridge.pb.collection('deliveries').update(d.id, { status: 'failed', error: 'Unknown subscriber' });
    expect((await api(`/api/v1/deliveries/${d.id}`, { key })).json).toMatchObject({ status: 'failed', error: 'Unknown subscriber' });
  });

  it('answers a repeated client_key with the stored text, and sends nothing more', async () => {
    const first = await send(key, { to: '+12015550141', text: 'Reminder: 3 pm', client_key: 'booking-77' });
    const again = await send(key, { to: '+12015550141', text: 'changed since', client_key: 'booking-77' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ ...first.json, duplicate: true });
    const deliveries = await app.superuser.collection('deliveries').getFullList({ filter: `message = "${first.json.message}"` });
    expect(deliveries).toHaveLength(1);
    // another integration's key space is its own; a person's client keys too
    const other = await fullKey({ name: 'Other' });
    const theirs = await send(other.key, { to: '+12015550141', text: 'Theirs', client_key: 'booking-77' });
    expect(theirs.status).toBe(201);
    expect(theirs.json.message).not.toBe(first.json.message);
  });

  it('answers concurrent retries of one client_key with one text', async () => {
    const tries = await Promise.all(Array.from({ length: 6 }, () => send(key, { to: '+12015550142', text: 'Once', client_key: 'race-1' })));
    expect(new Set(tries.map((t) => t.json.message)).size).toBe(1);
    expect(tries.filter((t) => t.status === 201)).toHaveLength(1);
  });

  it('says why it refuses, field by field', async () => {
    await app.superuser.collection('opt_outs').create({ phone: '+12015550150', our_number: main.id, keyword: 'STOP' });
    const cases: [Record<string, unknown>, number, RegExp][] = [
      [{ to: '+12015550150', text: 'hi' }, 400, /^\(201\) 555-0150 opted out of texts from this number on \d{4}-\d\d-\d\d \(replied STOP\)\.$/],
      [{ from: '+12015550200', to: '+12015550123', text: 'hi' }, 403, /^This API key may not text from \+12015550200\. An administrator can add the number/],
      [{ from: '+12015550999', to: '+12015550123', text: 'hi' }, 403, /^This API key may not text from \+12015550999\./],
      [{ from: '+12015550199', to: '+12015550123', text: 'hi' }, 400, /^SMS is switched off for \+12015550199\.$/],
      [{ to: '+12015550123', text: 'x'.repeat(1600) }, 400, /^This text would be sent as 11 SMS \(GSM-7\); the limit is 10\. Shorten it\.$/],
      [{ to: '+12015550123', text: 'x'.repeat(4001) }, 400, /^Messages are limited to 4000 characters; this one has 4001\.$/],
      [{ to: '+12015550123', text: '   ' }, 400, /^Write something before sending\.$/],
      [{ to: '+12015550123' }, 400, /^Text is required/],
      [{ to: 'pizza', text: 'hi' }, 400, /^To: A phone number has only digits/],
      [{ to: '+12015550100', text: 'hi' }, 400, /^To is the business number itself\.$/],
      [{ to: '+12015550123', text: 'hi', send_at: '2030-01-01T10:00:00' }, 400, /^The send time \(send_at\) has no time zone/],
      [{ to: '+12015550150', text: 'hi', send_at: new Date(Date.now() + 3600_000).toISOString() }, 400, /^\(201\) 555-0150 opted out of texts from this number on .* \(replied STOP\)\.$/],
    ];
    for (const [body, status, message] of cases) {
      const r = await send(key, body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.json.message, JSON.stringify(body)).toMatch(message);
    }
    // nothing was stored for any of them: no thread with the opted-out phone
    expect(await app.superuser.collection('conversations').getFullList({ filter: `sms_key = "${main.id}:+12015550150"` })).toHaveLength(0);
  });

  it('needs from when the key has several numbers and no default', async () => {
    const { key: k } = await create({ name: 'Two numbers', numbers: [main.id, other.id], scope_send: true });
    const r = await send(k, { to: '+12015550123', text: 'hi' });
    expect(r.status).toBe(400);
    expect(r.json.message).toBe('Say which business number to text from (from): this key may use several and has no default.');
    expect((await send(k, { from: '+1 201 555 0200', to: '+12015550123', text: 'hi' })).json.from).toBe('+12015550200');
  });
});

describe('administration', () => {
  it('lets only admins create integrations, and checks what they give', async () => {
    await expect(bob.pb.send('/api/integrations', { method: 'POST', body: { name: 'Mine' } })).rejects.toMatchObject({ status: 403 });
    await expect(create({ name: '', scope_send: true, numbers: [main.id] })).rejects.toMatchObject({ status: 400, response: { data: { name: { message: 'Give the integration a name.' } } } });
    await expect(create({ name: 'No numbers', scope_send: true })).rejects.toMatchObject({ response: { data: { numbers: { message: 'Choose at least one business number this key may text from.' } } } });
    await expect(create({ name: 'Bad default', scope_send: true, numbers: [main.id], default_number: other.id })).rejects.toMatchObject({
      response: { data: { default_number: { message: 'The default number must be one of the numbers this key may text from.' } } },
    });
  });

  it('writes creations, changes and revocations to the audit log, without the webhook secret', async () => {
    const { integration, webhook_secret } = await fullKey({ name: 'Audited' });
    await admin.pb.collection('integrations').update(integration.id, { name: 'Audited 2', webhook_inbound_url: 'https://example.com/in' });
    await admin.pb.send(`/api/integrations/${integration.id}/revoke`, { method: 'POST' });
    const rows = await admin.pb.collection('audit_log').getFullList({ filter: `target_id = "${integration.id}"`, sort: 'created' });
    expect(rows.map((r) => r.action)).toEqual(['integration_created', 'integration_updated', 'integration_revoked']);
    expect(rows.every((r) => r.actor === admin.record.id)).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(webhook_secret);
  });
});

describe('the OpenAPI document and the README', () => {
  it('is served without a key and describes the routes', async () => {
    const r = await api('/api/v1/openapi.json');
    expect(r.status).toBe(200);
    expect(r.json.openapi).toBe('3.1.0');
    expect(Object.keys(r.json.paths).sort()).toEqual(['/api/v1/deliveries/{id}', '/api/v1/deliveries/{id}/cancel', '/api/v1/openapi.json', '/api/v1/sms']);
    expect(r.json.servers).toEqual([{ url: app.url }]);
  });

  it("runs the README's curl example as written", async () => {
    const { key } = await fullKey({ name: 'README' });
    const r = spawnSync('sh', ['-c', readmeCurl()], { encoding: 'utf8', env: { ...process.env, APPLIANCE: app.url, API_KEY: key } });
    expect(r.status, r.stderr).toBe(0);
    const answer = JSON.parse(r.stdout);
    expect(answer).toMatchObject({ from: '+12015550100', to: '+12015550123', status: 'queued', client_key: 'order-1042' });
    const m = await app.superuser.collection('messages').getOne(answer.message);
    expect(m.body).toBe('Your order 1042 is ready to collect.');
  });
});
