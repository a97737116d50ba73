// Broadcasts through the real bridge and the SMSC simulator: 500 numbers,
// 19 opted out before and one (by texting STOP) while the broadcast is
// paused → exactly 480 submit_sm carrying the text, one per number, and 20
// recipients skipped. The broadcast is paused (no submit and no release while
// paused) and resumed, PocketBase and the worker are restarted in the middle, and every
// recipient ends accounted for. The bridge and the broadcast worker run as
// in production, on one services account.
import type { RecordModel } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bridge } from '../../smsc-bridge/src/pipeline/bridge.js';
import { PocketBaseStore } from '../../smsc-bridge/src/pipeline/pocketbase-store.js';
import { BroadcastWorker } from '../../smsc-bridge/src/broadcasts/worker.js';
import { TEST_BRIDGE } from '../../smsc-bridge/test/bridge-harness.js';
import { log, poll } from '../../smsc-bridge/test/helpers.js';
import { SmscSimulator } from '../../smsc-bridge/test/smsc-simulator.js';
import { createService, createUser, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance.js';

const OUR = '+12015550100';
const TEXT = 'Spring sale: 20% off all week. Reply STOP to opt out.';
const phone = (i: number) => `+1201555${String(1000 + i).padStart(4, '0')}`;

describe('broadcasts through the bridge', () => {
  let app: Appliance;
  let sim: SmscSimulator;
  let store: PocketBaseStore;
  let bridge: Bridge;
  let worker: BroadcastWorker;
  let bob: SignedIn;
  let carol: SignedIn;
  let number: RecordModel;

  beforeAll(async () => {
    [app, sim] = await Promise.all([startAppliance(), SmscSimulator.start()]);
    const su = app.superuser;
    const link = await su.collection('smsc_links').create({
      name: 'Simulator', host: '127.0.0.1', port: sim.port, system_id: 'bridge', password: 'secret', bind: 'trx',
      window: 10, max_per_second: 0, enabled: true, id_format: 'auto', default_alphabet: 'GSM7',
      source_ton: -1, source_npi: -1, dest_ton: -1, dest_npi: -1,
    });
    number = await su.collection('numbers').create({ e164: OUR, label: 'Main', sms_enabled: true, mode: 'direct', smsc_link: link.id });
    bob = await createUser(app, { name: 'Bob', extension: '200' });
    carol = await createUser(app, { name: 'Carol', extension: '300' });
    await su.collection('users').update(bob.record.id, { sms_numbers: [number.id] });
    const service = await createService(app, 'bridge');
    store = await PocketBaseStore.connect({ url: app.url, email: 'bridge@services.local', password: service.password, log });
    bridge = new Bridge({ store, log }, { ...TEST_BRIDGE, sweepMs: 500 });
    await bridge.start();
    await bridge.link(link.id)!.waitForState('bound', 5000);
    worker = suiteWorker();
    await worker.start();
  }, 30_000);

  afterAll(async () => {
    await worker?.stop();
    await bridge?.stop();
    store?.pb.realtime.unsubscribe().catch(() => {});
    await sim?.close();
    await app?.stop();
  });

  // a safety poll as short as the pace: the pause below counts asks made while nothing runs
  const suiteWorker = () => new BroadcastWorker({ pb: store.pb, log, idleMs: 200, minMs: 20, errorMs: 200, safetyMs: 200 });
  const ours = () => sim.submits.filter((s) => s.short_message.toString('latin1') === TEXT);
  const read = (id: string) => app.superuser.collection('broadcasts').getOne(id);

  it('sends 500 minus the opted out once each, through pause, resume and a restart of PocketBase', async () => {
    const su = app.superuser;
    const numbers = Array.from({ length: 500 }, (_, i) => phone(i));
    // 19 opted out before; the 20th texts STOP while the broadcast is paused
    const optedBefore = numbers.filter((_, i) => i % 25 === 7).slice(0, 19);
    for (const p of optedBefore) await su.collection('opt_outs').create({ phone: p, our_number: number.id, keyword: 'STOP' });
    const optedDuring = phone(499);
    const pasted = [...numbers.map((p, i) => (i % 2 ? p.replace('+1', '') : p)), phone(3), 'not a number'];

    const body = { our_number: number.id, source: 'list', numbers: pasted, body: TEXT, cap: 60000, name: 'Spring sale' };
    expect(await carol.pb.send('/api/broadcasts/preview', { method: 'POST', body }).catch((e) => e.status)).toBe(400);
    const preview = await bob.pb.send('/api/broadcasts/preview', { method: 'POST', body });
    expect(preview).toMatchObject({ recipients: 500, duplicates: 1, invalid_count: 1, opted_out: 19, segments: 1, encoding: 'GSM-7', cap: 60000, link_name: 'Simulator' });
    expect(await su.collection('broadcast_recipients').getList(1, 1)).toMatchObject({ totalItems: 0 });

    const { broadcast } = await bob.pb.send('/api/broadcasts', { method: 'POST', body });
    expect(broadcast).toMatchObject({ status: 'running', total: 500, sent: 0 });

    // pause part way: no release and no submit while paused
    await poll(() => read(broadcast.id), (b) => b.sent >= 100, 60_000, '100 released');
    await bob.pb.send(`/api/broadcasts/${broadcast.id}/pause`, { method: 'POST' });
    const paused = await read(broadcast.id);
    expect(paused.status).toBe('paused');
    // what was handed to the link before the pause goes out; then nothing more
    await poll(async () => ours().length, (n) => n === paused.sent, 20_000, 'the released texts on the wire');
    const resp = await sim.deliver({ source_addr: optedDuring.slice(1), destination_addr: OUR.slice(1), short_message: Buffer.from('STOP') });
    expect(resp.command_status).toBe(0);
    await poll(() => su.collection('opt_outs').getList(1, 1, { filter: `phone = "${optedDuring}"` }), (l) => l.totalItems === 1, 5000, 'the STOP stored');
    await worker.afterAsks(5);
    expect(await read(broadcast.id)).toMatchObject({ status: 'paused', sent: paused.sent });
    expect(ours().length).toBe(paused.sent);

    await bob.pb.send(`/api/broadcasts/${broadcast.id}/resume`, { method: 'POST' });
    // in the middle, the worker stops and PocketBase restarts; the bridge carries on when it is back, and a new worker takes over
    await poll(() => read(broadcast.id), (b) => b.sent >= 250, 60_000, '250 released');
    await worker.stop();
    const middle = await read(broadcast.id);
    expect(middle.status).toBe('running');
    expect(middle.sent + middle.skipped).toBeLessThan(500);
    await app.restart();
    worker = suiteWorker();
    await worker.start();
    const done = await poll(() => read(broadcast.id), (b) => b.status === 'done', 120_000, 'the broadcast done');
    expect(done).toMatchObject({ total: 500, sent: 480, skipped: 20, failed: 0, cancelled: 0 });

    const recipients = await su.collection('broadcast_recipients').getFullList({ filter: `broadcast = "${broadcast.id}"`, batch: 1000 });
    expect(recipients).toHaveLength(500);
    const skipped = recipients.filter((r) => r.status === 'skipped_opted_out').map((r) => r.phone).sort();
    expect(skipped).toEqual([...optedBefore, optedDuring].sort());
    expect(recipients.filter((r) => r.status === 'sent' && r.message && r.delivery)).toHaveLength(480);

    // exactly once on the wire each, none to an opted-out phone
    await poll(async () => ours().length, (n) => n >= 480, 30_000, '480 submits');
    const wire = ours().map((s) => `+${s.destination_addr}`);
    expect(wire).toHaveLength(480);
    expect(new Set(wire).size).toBe(480);
    expect(wire.filter((p) => skipped.includes(p))).toEqual([]);

    // each copy sits in its own (number, phone) thread, by Bob, so replies come back there
    const sample = recipients.find((r) => r.status === 'sent')!;
    const m = await su.collection('messages').getOne(sample.message);
    expect(m).toMatchObject({ body: TEXT, author: bob.record.id });
    const c = await su.collection('conversations').getOne(m.conversation);
    expect(c).toMatchObject({ kind: 'sms', sms_key: `${number.id}:${sample.phone}` });

    // the report follows each delivery; the audit log has start, pause and resume
    const report = await bob.pb.send(`/api/broadcasts/${broadcast.id}/report?perPage=500`, {});
    expect(report.items).toHaveLength(500);
    expect(Object.values(report.counts as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(500);
    expect(report.counts.skipped_opted_out).toBe(20);
    const audit = await su.collection('audit_log').getFullList({ filter: `target_id = "${broadcast.id}"`, sort: 'created' });
    expect(audit.map((a) => a.action)).toEqual(['broadcast_started', 'broadcast_paused', 'broadcast_resumed']);
  }, 300_000);

  it('cancels what is still waiting, and lets only those allowed on the number act', async () => {
    const body = { our_number: number.id, source: 'list', numbers: Array.from({ length: 30 }, (_, i) => phone(600 + i)), body: 'Cancelled soon', cap: 1 };
    const { broadcast } = await bob.pb.send('/api/broadcasts', { method: 'POST', body });
    expect(await carol.pb.send(`/api/broadcasts/${broadcast.id}/cancel`, { method: 'POST' }).catch((e) => e.status)).toBe(404);
    const b = await bob.pb.send(`/api/broadcasts/${broadcast.id}/cancel`, { method: 'POST' });
    expect(b.status).toBe('cancelled');
    expect(b.sent + b.cancelled).toBe(30);
    expect(await bob.pb.send(`/api/broadcasts/${broadcast.id}/resume`, { method: 'POST' }).catch((e) => e.status)).toBe(400);
    await worker.afterAsks(3);
    expect(await read(broadcast.id)).toMatchObject({ status: 'cancelled', sent: b.sent });
    const audit = await app.superuser.collection('audit_log').getFullList({ filter: `target_id = "${broadcast.id}"`, sort: 'created' });
    expect(audit.map((a) => [a.action, a.actor_name])).toEqual([['broadcast_started', 'Bob'], ['broadcast_cancelled', 'Bob']]);
  });

  it('texts a phonebook group at each contact’s first number', async () => {
    const su = app.superuser;
    const group = await su.collection('contact_groups').create({ name: 'VIP' });
    await su.collection('contacts').create({ name: 'Ann', numbers: [{ e164: phone(700), label: 'mobile' }, { e164: phone(701), label: 'work' }], groups: [group.id] });
    await su.collection('contacts').create({ name: 'Ben', numbers: [{ e164: phone(702), label: 'mobile' }], groups: [group.id] });
    await su.collection('contacts').create({ name: 'Cy', numbers: [{ e164: phone(703), label: 'mobile' }] });
    await su.collection('contacts').create({ name: 'Dee', numbers: [], groups: [group.id] });
    const preview = await bob.pb.send('/api/broadcasts/preview', { method: 'POST', body: { our_number: number.id, source: 'group', group: group.id, body: 'VIP night' } });
    expect(preview).toMatchObject({ recipients: 2, without_number: 1, cap: 60 });
    expect(preview.eta_s).toBe(2);
    // groups belong to the shared phonebook: a personal contact is refused, a member who does not edit it cannot group
    const err = await bob.pb.collection('contacts').create({ name: 'Mine', owner: bob.record.id, numbers: [{ e164: phone(704) }], groups: [group.id] }).catch((e) => e);
    expect(err.status).toBe(400);
    expect(err.response.data.groups.message).toMatch(/shared contacts/);
    const cy = await su.collection('contacts').getFirstListItem('name = "Cy"');
    expect(await bob.pb.collection('contacts').update(cy.id, { groups: [group.id] }).catch((e) => e.status)).toBe(404);
    // the phonebook filters by group
    const listed = await bob.pb.collection('contacts').getFullList({ filter: bob.pb.filter('groups ~ {:g}', { g: group.id }), sort: 'name' });
    expect(listed.map((c) => c.name)).toEqual(['Ann', 'Ben', 'Dee']);
  });

  // From here on the suite's worker is stopped: a worker whose safety poll is
  // ten minutes does the releasing, so only its wake-ups can explain a release.
  describe('a quiet worker', () => {
    const QUIET_MS = 600_000;
    let quiet: BroadcastWorker;
    let releases = 0;
    let pb: SignedIn['pb'];
    const quietWorker = () => new BroadcastWorker({ pb, log, idleMs: 200, minMs: 20, errorMs: 200, safetyMs: QUIET_MS });

    beforeAll(async () => {
      await worker.stop();
      // a counting wrapper around the real route: every release this worker asks for
      pb = (await createService(app, 'broadcaster')).pb;
      const send = pb.send.bind(pb);
      pb.send = ((path: string, options: Parameters<typeof send>[1]) => {
        if (path === '/api/broadcasts/release') releases++;
        return send(path, options);
      }) as typeof pb.send;
    });

    afterAll(async () => {
      await quiet?.stop();
      await pb?.realtime.unsubscribe().catch(() => {});
    });

    it('asks once while nothing runs, and starts a broadcast at its wake-up', async () => {
      quiet = quietWorker();
      await quiet.start();
      await quiet.afterAsks(1);
      // an observation window of 5 s: before the topic, an idle worker asked every idleMs (25 asks here)
      await new Promise((r) => setTimeout(r, 5000));
      expect(releases).toBeLessThanOrEqual(2);

      const numbers = [phone(800), phone(801), phone(802)];
      const { broadcast } = await bob.pb.send('/api/broadcasts', { method: 'POST', body: { our_number: number.id, source: 'list', numbers, body: 'Woken up', cap: 60000 } });
      const done = await poll(() => read(broadcast.id), (b) => b.status === 'done', 30_000, 'the broadcast done');
      expect(done).toMatchObject({ total: 3, sent: 3 });
    }, 60_000);

    it('resumes a paused broadcast at its wake-up', async () => {
      const numbers = [phone(810), phone(811), phone(812)];
      // one text a minute: the first goes at the start, the next would wait a minute
      const { broadcast } = await bob.pb.send('/api/broadcasts', { method: 'POST', body: { our_number: number.id, source: 'list', numbers, body: 'Paused and resumed', cap: 1 } });
      await poll(() => read(broadcast.id), (b) => b.sent === 1, 30_000, 'the first text released');
      await bob.pb.send(`/api/broadcasts/${broadcast.id}/pause`, { method: 'POST' });
      // a fresh worker finds nothing running and goes quiet
      await quiet?.stop();
      quiet = quietWorker();
      await quiet.start();
      await quiet.afterAsks(1);
      const before = releases;
      // resuming makes the next text due at once
      await bob.pb.send(`/api/broadcasts/${broadcast.id}/resume`, { method: 'POST' });
      await poll(() => read(broadcast.id), (b) => b.sent === 2, 30_000, 'the second text released');
      expect(releases).toBeGreaterThan(before);
      await bob.pb.send(`/api/broadcasts/${broadcast.id}/cancel`, { method: 'POST' });
    }, 60_000);

    it('asks once when the realtime link comes back, for a wake-up it may have missed', async () => {
      const su = app.superuser;
      await quiet?.stop();
      quiet = quietWorker();
      await quiet.start();
      await quiet.afterAsks(1);
      // written behind the hooks' back: no wake-up is published
      const b = await su.collection('broadcasts').create({
        name: 'Unannounced', our_number: number.id, body: 'Found after the restart', source: 'list', cap: 60000, status: 'running',
        total: 2, sent: 0, skipped: 0, failed: 0, cancelled: 0, segments: 1, encoding: 'GSM-7', created_by: bob.record.id, created_by_name: 'Bob',
      });
      for (const [i, p] of [phone(820), phone(821)].entries()) await su.collection('broadcast_recipients').create({ broadcast: b.id, phone: p, seq: i, status: 'pending' });
      await app.restart();
      const done = await poll(() => read(b.id), (x) => x.status === 'done', 60_000, 'the broadcast done');
      expect(done).toMatchObject({ total: 2, sent: 2 });
    }, 90_000);
  });
});
