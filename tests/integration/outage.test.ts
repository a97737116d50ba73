// An SMSC outage costs nothing and fails nothing (issue 19), against the real
// PocketBase and the simulator: 2,000 texts queued while the simulator
// refuses binds for longer than the old attempt schedule all go out once it
// accepts, exactly once and in queue order; while it refuses, the bridge's
// requests to PocketBase stay a small constant and it writes nothing per
// delivery; past the link's validity they all end failed as expired.

import type { RecordModel } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bridge } from '../../smsc-bridge/src/pipeline/bridge.js';
import { PocketBaseStore } from '../../smsc-bridge/src/pipeline/pocketbase-store.js';
import { pbDate } from '../../smsc-bridge/src/pipeline/store.js';
import { createService, createUser, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance.js';
import { TEST_BRIDGE } from '../../smsc-bridge/test/bridge-harness.js';
import { log, poll, until } from '../../smsc-bridge/test/helpers.js';
import { SmscSimulator } from '../../smsc-bridge/test/smsc-simulator.js';

// bounds below are against a hang, not speed: a quiet machine runs each test in ~12 s, one at load 18 took minutes
const TEXTS = 2000;
const SWEEP_MS = 500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a link that is down', () => {
  let app: Appliance;
  let sim: SmscSimulator;
  let alice: SignedIn;
  let store: PocketBaseStore;
  let bridge: Bridge;
  let refuse = true;
  const links: Record<string, RecordModel> = {};
  const messages: Record<string, RecordModel> = {};

  beforeAll(async () => {
    [app, sim] = await Promise.all([startAppliance(), SmscSimulator.start()]);
    sim.bindStatus = (b) => (refuse && b.system_id === 'bridge' ? 0x08 : 0);
    const su = app.superuser;
    alice = await createUser(app, { name: 'Alice', extension: '201' });
    const link = (name: string, system_id: string, validity_s: number) =>
      su.collection('smsc_links').create({
        name, host: '127.0.0.1', port: sim.port, system_id, password: 'secret', bind: 'trx', window: 50, max_per_second: 0,
        enabled: true, id_format: 'auto', default_alphabet: 'GSM7', source_ton: -1, source_npi: -1, dest_ton: -1, dest_npi: -1, validity_s,
      });
    links.main = await link('Carrier', 'bridge', 86400);
    // refused for good, and a validity of 3 s
    links.short = await link('Gateway', 'gateway', 3);
    sim.bindStatus = (b) => (b.system_id === 'gateway' || (refuse && b.system_id === 'bridge') ? 0x08 : 0);
    const main = await su.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct', smsc_link: links.main.id });
    const gw = await su.collection('numbers').create({ e164: '+12015550200', label: 'Gateway', sms_enabled: true, mode: 'direct', smsc_link: links.short.id });
    await su.collection('users').update(alice.record.id, { sms_numbers: [main.id, gw.id], default_number: main.id });
    for (const [key, from] of [['main', main.id], ['short', gw.id]] as const) {
      const thread = await alice.pb.send<RecordModel>('/api/conversations/sms', { method: 'POST', body: { to: '+12015550123', number: from } });
      messages[key] = await alice.pb.collection('messages').create({ conversation: thread.id, body: `first from ${key}` });
    }
    const service = await createService(app, 'bridge');
    store = await PocketBaseStore.connect({ url: app.url, email: 'bridge@services.local', password: service.password, log });
    bridge = new Bridge(
      { store, log },
      { ...TEST_BRIDGE, sweepMs: SWEEP_MS, waitingRefreshMs: 250, blockedCheckMs: 1000, link: { ...TEST_BRIDGE.link, reconnect: { baseMs: 100, maxMs: 300, jitter: 0 } } },
    );
    await bridge.start();
  }, 60_000);

  afterAll(async () => {
    await bridge?.stop();
    store?.pb.realtime.unsubscribe().catch(() => {});
    await sim?.close();
    await app?.stop();
  });

  // texts queued as the message hook queues them: their link, one queue time each, in order
  async function queueTexts(key: 'main' | 'short', n: number, prefix: string): Promise<void> {
    const m = messages[key];
    const link = links[key];
    const from = key === 'main' ? '+12015550100' : '+12015550200';
    const base = Date.now() - n;
    for (let i = 0; i < n; i += 50) {
      const batch = app.superuser.createBatch();
      for (let j = i; j < Math.min(n, i + 50); j++) {
        batch.collection('deliveries').create({
          message: m.id, to: `+1201555${String(1000 + (j % 9000)).padStart(4, '0')}`, from, body: `${prefix} ${String(j).padStart(4, '0')}`,
          status: 'queued', segments: 1, encoding: 'GSM-7', smsc_ids: [], attempts: 0, link: link.id, queued_at: pbDate(base + j),
        });
      }
      await batch.send();
    }
  }

  const bodyOf = (x: { short_message: Buffer }) => x.short_message.toString('latin1');

  it(`holds ${TEXTS} texts through an outage longer than the old attempt schedule at a constant cost, then sends each once, in order`, async () => {
    await poll(() => app.superuser.collection('smsc_links').getOne(links.main.id), (l) => l.state === 'down', 5000, 'link down');
    // the first text came through the API while the link was down: it waits too
    await queueTexts('main', TEXTS, 'outage');
    await poll(() => app.superuser.collection('smsc_links').getOne(links.main.id), (l) => l.waiting === TEXTS + 1, 5000, 'waiting counted');

    // the Gateway link's first text (validity 3 s) expires, a write of its own: let it happen before the window
    const expiredFirst = () => app.superuser.collection('deliveries').getFirstListItem(`message = "${messages.short.id}"`);
    await poll(expiredFirst, (d) => d.status === 'failed' && d.error_code === 'expired', 30_000, 'the Gateway text expired');

    // a window of the outage: many sweep periods, and far longer than the old schedule
    // (3 attempts, each after a 150 ms hold) took to fail every text
    const before = new Map(store.requests);
    const windowMs = 4000;
    await sleep(windowMs);
    const used = (key: string) => (store.requests.get(key) ?? 0) - (before.get(key) ?? 0);
    const all = [...store.requests.keys()].reduce((sum, k) => sum + used(k), 0);
    const lists = used('GET /api/collections/deliveries/records');
    log.info({ requests: Object.fromEntries([...store.requests.keys()].map((k) => [k, used(k)]).filter(([, v]) => v)) }, 'requests during the outage window');
    expect(used('POST /api/batch')).toBe(0);
    // no write per waiting text (that would be 2,001): none at all
    expect([...store.requests.keys()].filter((k) => k.startsWith('PATCH /api/collections/deliveries')).map(used).reduce((a, b) => a + b, 0)).toBe(0);
    // one lane read per sweep (texts without a link) and a count of each down link now and then
    expect(lists).toBeLessThanOrEqual(windowMs / SWEEP_MS + 2 * (windowMs / 1000) + 4);
    expect(all).toBeLessThanOrEqual(30);
    const waiting = await app.superuser.collection('deliveries').getList(1, 1, { filter: `link = "${links.main.id}" && status = "queued" && attempts = 0 && error = ""` });
    expect(waiting.totalItems).toBe(TEXTS + 1);
    const row = await app.superuser.collection('smsc_links').getOne(links.main.id);
    expect(row.down_since).not.toBe('');
    expect(row.waiting_since).not.toBe('');

    // the SMSC is back
    const from = sim.submits.length;
    refuse = false;
    sim.bindStatus = (b) => (b.system_id === 'gateway' ? 0x08 : 0);
    await until(() => sim.submits.length - from >= TEXTS + 1, 180_000, 'every text submitted');
    const bodies = sim.submits.slice(from).map(bodyOf);
    expect(bodies).toHaveLength(TEXTS + 1);
    expect(new Set(bodies).size).toBe(TEXTS + 1);
    // in queue order: the `sending` writes run concurrently, the submits in the order the texts started
    const order = bodies.filter((b) => b.startsWith('outage')).map((b) => Number(b.slice(7)));
    const displaced = order.map((q, at) => [at, q]).filter(([at, q]) => at !== q);
    expect(displaced.slice(0, 5)).toEqual([]);
    const notDelivered = () => app.superuser.collection('deliveries').getList(1, 1, { filter: `link = "${links.main.id}" && status != "delivered"` });
    await poll(notDelivered, (p) => p.totalItems === 0, 120_000, 'all delivered');
    const failed = await app.superuser.collection('deliveries').getList(1, 1, { filter: `link = "${links.main.id}" && status = "failed"` });
    expect(failed.totalItems).toBe(0);
    const back = await poll(() => app.superuser.collection('smsc_links').getOne(links.main.id), (l) => l.waiting === 0, 30_000, 'waiting back to 0');
    expect(back).toMatchObject({ state: 'bound', down_since: '', waiting_since: '' });
  }, 420_000);

  it(`past the link's validity all ${TEXTS} waiting texts end failed as expired, none sent`, async () => {
    const from = sim.submits.length;
    await queueTexts('short', TEXTS, 'late');
    const done = async () => (await app.superuser.collection('deliveries').getList(1, 1, { filter: `link = "${links.short.id}" && status = "queued"` })).totalItems;
    await poll(done, (n) => n === 0, 240_000, 'every text expired');
    const rows = await app.superuser.collection('deliveries').getFullList({ filter: `link = "${links.short.id}"`, fields: 'status,error_code,error,attempts' });
    expect(rows).toHaveLength(TEXTS + 1);
    const odd = rows.filter((r) => !(r.status === 'failed' && r.error_code === 'expired' && r.attempts === 0 && /^expired: the link was down for \d+ (s|min)/.test(r.error)));
    expect(odd.slice(0, 3)).toEqual([]);
    expect(sim.submits.slice(from).filter((x) => bodyOf(x).startsWith('late'))).toHaveLength(0);
  }, 360_000);
});
