// A GSM gateway link through the real PocketBase (issue 17): the bridge runs
// a gsm_gateway link from its smsc_links row, writes its health there, sends
// at modem speed with each waiting text's place in the queue readable by its
// sender (POST /api/sms/queue-places), and ends texts on a link without
// receipts in `sent` with report not_expected. The bridge may write health,
// never the link's settings.

import { ClientResponseError, type RecordModel } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINK_PROFILES } from '../../src/lib/domain/smsc-link.js';
import { Bridge } from '../../smsc-bridge/src/pipeline/bridge.js';
import { PocketBaseStore } from '../../smsc-bridge/src/pipeline/pocketbase-store.js';
import { TEST_BRIDGE } from '../../smsc-bridge/test/bridge-harness.js';
import { log, poll } from '../../smsc-bridge/test/helpers.js';
import { SmscSimulator } from '../../smsc-bridge/test/smsc-simulator.js';
import { createService, createUser, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance.js';

async function statusOf(p: Promise<unknown>): Promise<number> {
  return p.then(
    () => 200,
    (e) => (e instanceof ClientResponseError ? e.status : Promise.reject(e)),
  );
}

describe('a GSM gateway link with PocketBase', () => {
  let app: Appliance;
  let sim: SmscSimulator;
  let alice: SignedIn;
  let bob: SignedIn;
  let service: SignedIn;
  let link: RecordModel;
  let store: PocketBaseStore;
  let bridge: Bridge;

  beforeAll(async () => {
    [app, sim] = await Promise.all([startAppliance(), SmscSimulator.start()]);
    const su = app.superuser;
    const p = LINK_PROFILES.gsm_gateway;
    link = await su.collection('smsc_links').create({
      name: 'GoIP SIM 1', host: '127.0.0.1', port: sim.port, system_id: 'bridge', password: 'secret', enabled: true,
      id_format: 'auto', default_alphabet: 'GSM7', source_ton: -1, source_npi: -1, dest_ton: -1, dest_npi: -1,
      kind: 'gsm_gateway', bind: p.bind, window: p.window, max_per_second: p.max_per_second, rate_unit: p.rate_unit,
      enquire_link_s: 0.2, enquire_link_timeout_s: 1, inactivity_s: 5, reconnect_min_s: 0.1, reconnect_max_s: 1,
      receipts: 'none', receipt_timeout_s: 3600,
    });
    const sim1 = await su.collection('numbers').create({ e164: '+12015550100', label: 'SIM 1', sms_enabled: true, mode: 'direct', smsc_link: link.id });
    alice = await createUser(app, { name: 'Alice', extension: '201' });
    bob = await createUser(app, { name: 'Bob', extension: '202' });
    await su.collection('users').update(alice.record.id, { sms_numbers: [sim1.id], default_number: sim1.id });
    service = await createService(app, 'bridge');
    store = await PocketBaseStore.connect({ url: app.url, email: 'bridge@services.local', password: service.password, log });
    bridge = new Bridge({ store, log }, { ...TEST_BRIDGE, sweepMs: 500, healthMs: 100 });
    await bridge.start();
    await bridge.link(link.id)!.waitForState('bound', 5000);
  }, 30_000);

  afterAll(async () => {
    await bridge?.stop();
    store?.pb.realtime.unsubscribe().catch(() => {});
    await sim?.close();
    await app?.stop();
  });

  it('runs the link with its own keepalive and writes its health on the row', async () => {
    await sim.waitFor('enquire_link', () => true, 2000);
    expect(bridge.link(link.id)!.timings.enquireLinkMs).toBe(200);
    const r = await poll(() => app.superuser.collection('smsc_links').getOne(link.id), (x) => x.enquire_rtt_ms > 0 && x.bound_since !== '', 5000, 'health');
    expect(r).toMatchObject({ state: 'bound', reconnects_1h: 0 });
  });

  it('the bridge may write health figures but not the kind, keepalive or receipts', async () => {
    const links = service.pb.collection('smsc_links');
    expect(await statusOf(links.update(link.id, { reconnects_1h: 0, last_drop: '' }))).toBe(200);
    for (const body of [{ kind: 'carrier' }, { enquire_link_s: 60 }, { receipts: 'expected' }, { receipt_timeout_s: 1 }, { rate_unit: 'second' }, { reconnect_min_s: 9 }]) {
      expect(await statusOf(links.update(link.id, body))).toBe(404);
    }
  });

  it('texts to a 6-per-minute link wait in order, each with its place; without receipts the first ends sent, not delivering', async () => {
    const thread = await alice.pb.send<RecordModel>('/api/conversations/sms', { method: 'POST', body: { to: '+12015550123' } });
    const messages: RecordModel[] = [];
    for (let i = 0; i < 5; i++) messages.push(await alice.pb.collection('messages').create({ conversation: thread.id, body: `order ${i} is ready` }));
    const deliveryOf = async (m: RecordModel) => (await alice.pb.collection('deliveries').getFullList({ filter: `message = "${m.id}"` }))[0];
    const first = await poll(() => deliveryOf(messages[0]), (d) => d?.status === 'sent', 5000, 'the first sent');
    expect(first.report).toBe('not_expected');
    expect(sim.submits[0].registered_delivery).toBe(0);
    // the others wait for the rate: 10 s apart
    const ds = await Promise.all(messages.slice(1).map(deliveryOf));
    expect(ds.map((d) => d.status)).toEqual(['queued', 'queued', 'queued', 'queued']);
    const places = await alice.pb.send<{ places: Record<string, { ahead: number; eta_s: number | null }> }>('/api/sms/queue-places', {
      method: 'POST',
      body: { deliveries: [first.id, ...ds.map((d) => d.id)] },
    });
    // a sent one has no place; the rest are 0, 1, 2, 3 texts behind, 10 s apart at 6 per minute
    expect(places.places[first.id]).toBeUndefined();
    expect(ds.map((d) => places.places[d.id])).toEqual([
      { ahead: 0, eta_s: 10 },
      { ahead: 1, eta_s: 20 },
      { ahead: 2, eta_s: 30 },
      { ahead: 3, eta_s: 40 },
    ]);
    // someone who is not in the conversation learns nothing about them
    const other = await bob.pb.send<{ places: Record<string, unknown> }>('/api/sms/queue-places', { method: 'POST', body: { deliveries: ds.map((d) => d.id) } });
    expect(other.places).toEqual({});
    expect(sim.submits).toHaveLength(1);
  });
});
