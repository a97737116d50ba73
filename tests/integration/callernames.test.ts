// Caller-name lookup against a local fake HTTP provider: no provider (nothing
// marked, nothing called), a hit, a miss, a timeout, an HTML answer, a 500,
// the cache and its expiry, the rate limit, the admin's Test and the
// provider's secret kept from everyone else. Inbound texts are stored at
// once whatever the provider does: the lookup runs in the sweep.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { ClientResponseError } from 'pocketbase';
import { createService, createUser, freePort, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';
import { events } from '../helpers/events';

let app: Appliance;
let admin: SignedIn, bob: SignedIn, bridge: SignedIn;
let server: Server;
let base = '';
/** numbers the fake provider was asked about, in order */
const asked: string[] = [];
let seq = 0;

// the fake provider: what it answers depends on the number's last digits
const BEHAVIOUR: Record<string, (res: import('node:http').ServerResponse) => void> = {
  '01': (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { name: 'SMITH JOHN' } })),
  '02': (res) => res.writeHead(404).end('not found'),
  '03': (res) => setTimeout(() => res.writeHead(200).end('{"data":{"name":"TOO LATE"}}'), 2500),
  '04': (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Login</body></html>'),
  '05': (res) => res.writeHead(500).end('oops'),
  '06': (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: {} })),
};

const status = (p: Promise<unknown>) => p.then(() => 200, (e) => (e instanceof ClientResponseError ? e.status : Promise.reject(e)));
const text = (from: string, body = 'hello') =>
  bridge.pb.send('/api/sms/inbound', { method: 'POST', body: { dedupe_key: `cnam-${++seq}`, from, to: '+12015550100', body } });
const sweep = () => admin.pb.send('/api/caller-names/sweep', { method: 'POST' });
const cached = (phone: string) => app.superuser.collection('caller_names').getFirstListItem(`phone = "${phone}"`).catch(() => null);
const configure = (extra: Record<string, unknown> = {}) =>
  admin.pb.send('/api/caller-names/provider', {
    method: 'POST',
    body: { url: `${base}/lookup?n={number}`, header_name: 'X-Api-Key', header_value: 'sekret-key', name_path: 'data.name', label: 'FakeCNAM', timeout_s: 1, per_minute: 100, ...extra },
  });

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = createServer((req, res) => {
    const n = decodeURIComponent(new URL(req.url!, base).searchParams.get('n') ?? '');
    asked.push(n);
    if (req.headers['x-api-key'] !== 'sekret-key') return void res.writeHead(401).end();
    (BEHAVIOUR[n.slice(-2)] ?? BEHAVIOUR['02'])(res);
  });
  await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
  app = await startAppliance();
  admin = await createUser(app, { name: 'Ada', extension: '100', role: 'admin' });
  bob = await createUser(app, { name: 'Bob', extension: '200' });
  bridge = await createService(app, 'bridge');
  const number = await app.superuser.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct' });
  await app.superuser.collection('users').update(bob.record.id, { sms_numbers: [number.id], default_number: number.id });
});
afterAll(async () => {
  await app?.stop();
  server?.close();
});

describe('caller-name lookup', () => {
  it('does nothing without a provider: no entry, no call', async () => {
    await text('+14155550101');
    expect(await sweep()).toEqual({ looked_up: 0, failed: 0 });
    expect(await cached('+14155550101')).toBeNull();
    expect(asked).toEqual([]);
    expect(await status(bob.pb.send('/api/caller-names/lookup', { method: 'POST', body: { phone: '+14155550101' } }))).toBe(400);
  });

  it('keeps the provider and its key from everyone but admins, and only as "set"', async () => {
    expect(await configure()).toMatchObject({ url: `${base}/lookup?n={number}`, header_value: '', header_value_set: true });
    expect(await status(bob.pb.send('/api/caller-names/provider', {}))).toBe(403);
    expect(await status(bob.pb.send('/api/caller-names/provider', { method: 'POST', body: { url: '' } }))).toBe(403);
    const seen = await bob.pb.collection('settings').getFirstListItem('');
    expect(seen.cnam_provider).toBeUndefined();
    expect(JSON.stringify(await admin.pb.collection('settings').getFirstListItem(''))).not.toContain('sekret');
    const log = await admin.pb.collection('audit_log').getFirstListItem('action = "settings_updated"', { sort: '-created' });
    expect(log.details).toEqual({ changes: { cnam_provider: { changed: true } } });
    // saving again without the key keeps it
    await configure({ header_value: '' });
    const err = await admin.pb.send('/api/caller-names/provider', { method: 'POST', body: { url: 'ftp://x' } }).catch((e) => e);
    expect(err.response.data.url.message).toBe('The address must start with http:// or https://.');
  });

  it('looks up a first text in the background: stored at once, named after the sweep, live in the inbox', async () => {
    const inbox = await events(bob.pb, 'inbox');
    const t = Date.now();
    const stored = await text('+14155550101', 'first text');
    expect(stored.conversation).toBeTruthy();
    expect(Date.now() - t).toBeLessThan(1000);
    expect(asked).toEqual([]);
    expect(await cached('+14155550101')).toMatchObject({ name: '', fetched_at: '', wanted_at: expect.any(String) });
    expect(await sweep()).toEqual({ looked_up: 1, failed: 0 });
    expect(await cached('+14155550101')).toMatchObject({ name: 'SMITH JOHN', source: 'FakeCNAM', wanted_at: '', error: '' });
    const e = await inbox.next((e) => e.type === 'caller_name');
    expect(e.caller_name).toEqual({ phone: '+14155550101', name: 'SMITH JOHN' });
    await inbox.off();
    expect(await bob.pb.send('/api/names', { method: 'POST', body: { phones: ['+14155550101'] } })).toEqual({ '+14155550101': { name: 'SMITH JOHN', source: 'cnam' } });
    // cached: the next text asks nobody
    await text('+14155550101', 'second text');
    expect(await sweep()).toEqual({ looked_up: 0, failed: 0 });
    expect(asked).toEqual(['+14155550101']);
  });

  it.each([
    ['a miss (404)', '+14155550102', { ok: true, error: '' }],
    ['a miss (no name in the answer)', '+14155550106', { ok: true, error: '' }],
    ['a timeout', '+14155550103', { ok: false, error: 'The provider did not answer within 1 s.' }],
    ['an HTML answer', '+14155550104', { ok: false, error: 'The provider’s answer is not JSON.' }],
    ['a 500', '+14155550105', { ok: false, error: 'The provider answered 500.' }],
  ])('stores %s without breaking anything', async (_, phone, expected) => {
    const t = Date.now();
    await text(phone);
    expect(Date.now() - t).toBeLessThan(1000);
    await sweep();
    const row = await cached(phone);
    if (expected.ok) expect(row).toMatchObject({ name: '', error: '', wanted_at: '', fetched_at: expect.stringMatching(/^20/) });
    else expect(row).toMatchObject({ name: '', error: expected.error, wanted_at: expect.stringMatching(/^20/), retry_at: expect.stringMatching(/^20/) });
    // a failure is retried later, not at once
    const before = asked.length;
    await sweep();
    expect(asked.length).toBe(before);
  });

  it('asks again once the cached answer is older than the time-to-live', async () => {
    const row = (await cached('+14155550101'))!;
    await app.superuser.collection('caller_names').update(row.id, { fetched_at: '2020-01-01 00:00:00.000Z' });
    const before = asked.length;
    await text('+14155550101', 'much later');
    await sweep();
    expect(asked.length).toBe(before + 1);
    expect(await cached('+14155550101')).toMatchObject({ name: 'SMITH JOHN', fetched_at: expect.not.stringMatching(/^2020/) });
  });

  it('does not ask about a number the phonebook names', async () => {
    await admin.pb.collection('contacts').create({ name: 'Known', numbers: [{ e164: '+14155550201' }] });
    await text('+14155550201');
    expect(await cached('+14155550201')).toBeNull();
  });

  it('keeps to the rate limit per minute', async () => {
    await configure({ per_minute: 1 });
    for (const p of ['+14155550301', '+14155550401']) await text(p);
    const r = await sweep();
    expect(r.looked_up + r.failed).toBeLessThanOrEqual(1);
    expect(await status(bob.pb.send('/api/caller-names/lookup', { method: 'POST', body: { phone: '+14155550501' } }))).toBe(429);
    await configure({ per_minute: 100 });
  });

  it('looks up on demand and shows the admin the raw answer with Test', async () => {
    expect(await bob.pb.send('/api/caller-names/lookup', { method: 'POST', body: { phone: '+14155550601' } })).toEqual({ name: 'SMITH JOHN', source: 'FakeCNAM', error: '' });
    expect(await admin.pb.send('/api/caller-names/test', { method: 'POST', body: { number: '+14155550701' } })).toEqual({
      ok: true,
      status: 200,
      name: 'SMITH JOHN',
      raw: JSON.stringify({ data: { name: 'SMITH JOHN' } }),
    });
    expect(await admin.pb.send('/api/caller-names/test', { method: 'POST', body: { number: '+14155550704' } })).toMatchObject({ ok: false, raw: expect.stringContaining('<html>') });
    expect(await status(bob.pb.send('/api/caller-names/test', { method: 'POST', body: { number: '+14155550701' } }))).toBe(403);
  });
});
