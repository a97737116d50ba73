// The bridge against the real PocketBase (build/pocketbase with the working
// tree's migrations and hooks) and the simulator: a message posted through
// the API becomes submit_sm at the SMSC and its receipt moves the delivery
// to delivered; an MO text lands in the thread; link state and settings go
// through smsc_links.

import type { RecordModel } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bridge } from '../../smsc-bridge/src/pipeline/bridge.js';
import { Journal, MemorySink } from '../../smsc-bridge/src/pipeline/journal.js';
import { PocketBaseStore } from '../../smsc-bridge/src/pipeline/pocketbase-store.js';
import { createService, createUser, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance.js';
import { TEST_BRIDGE } from '../../smsc-bridge/test/bridge-harness.js';
import { log, poll, until } from '../../smsc-bridge/test/helpers.js';
import { SmscSimulator } from '../../smsc-bridge/test/smsc-simulator.js';
import { MediaWorker } from '../../smsc-bridge/src/media/worker.js';
import sharp from 'sharp';

describe('the bridge with PocketBase', () => {
  let app: Appliance;
  let sim: SmscSimulator;
  let alice: SignedIn;
  let service: SignedIn;
  let link: RecordModel;
  let store: PocketBaseStore;
  let bridge: Bridge;

  beforeAll(async () => {
    [app, sim] = await Promise.all([startAppliance(), SmscSimulator.start()]);
    const su = app.superuser;
    link = await su.collection('smsc_links').create({
      name: 'Simulator', host: '127.0.0.1', port: sim.port, system_id: 'bridge', password: 'secret', bind: 'trx',
      window: 10, max_per_second: 0, enabled: true, id_format: 'auto', default_alphabet: 'GSM7',
      source_ton: -1, source_npi: -1, dest_ton: -1, dest_npi: -1,
    });
    const main = await su.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct', smsc_link: link.id });
    alice = await createUser(app, { name: 'Alice', extension: '201' });
    await su.collection('users').update(alice.record.id, { sms_numbers: [main.id], default_number: main.id });
    service = await createService(app, 'bridge');
    store = await PocketBaseStore.connect({ url: app.url, email: 'bridge@services.local', password: service.password, log });
    bridge = new Bridge({ store, log }, { ...TEST_BRIDGE, sweepMs: 500 });
    await bridge.start();
    await bridge.link(link.id)!.waitForState('bound', 5000);
  }, 30_000);

  afterAll(async () => {
    await bridge?.stop();
    store?.pb.realtime.unsubscribe().catch(() => {});
    await sim?.close();
    await app?.stop();
  });

  const row = (collection: string, id: string) => app.superuser.collection(collection).getOne(id);

  it('writes the link state to smsc_links', async () => {
    const r = await poll(() => row('smsc_links', link.id), (x) => x.state === 'bound', 3000, 'state bound');
    expect(r.last_error).toBe('');
    expect(r.state_at).not.toBe('');
  });

  it('a message posted through the API becomes submit_sm, then sent, then delivered by its receipt', async () => {
    const thread = await alice.pb.send<RecordModel>('/api/conversations/sms', { method: 'POST', body: { to: '+12015550123' } });
    const m = await alice.pb.collection('messages').create({ conversation: thread.id, body: 'Your order is ready 😀' });
    const submit = await sim.waitFor<{ destination_addr: string; data_coding: number; id?: string }>('submit', () => true, 5000);
    expect(submit).toMatchObject({ destination_addr: '12015550123', data_coding: 8 });
    const byMessage = async () => (await app.superuser.collection('deliveries').getFullList({ filter: `message = "${m.id}"` }))[0];
    const d = await poll(byMessage, (x) => x?.status === 'delivered', 5000, 'delivered');
    expect(d).toMatchObject({ status: 'delivered', attempts: 1, link: link.id, smsc_ids: [submit.id], error: '' });
    expect(d!.sent_at).not.toBe('');
    expect(d!.done_at).not.toBe('');
  });

  it('a receipt finds its delivery through PocketBase when the bridge no longer remembers it', async () => {
    sim.onSubmit = () => ({ receipt: false });
    const thread = await alice.pb.send<RecordModel>('/api/conversations/sms', { method: 'POST', body: { to: '+12015550124' } });
    const m = await alice.pb.collection('messages').create({ conversation: thread.id, body: 'remember me' });
    const byMessage = async () => (await app.superuser.collection('deliveries').getFullList({ filter: `message = "${m.id}"` }))[0];
    const d = await poll(byMessage, (x) => x?.status === 'sent', 5000, 'sent');
    bridge.receipts.forget(d.id);
    sim.onSubmit = () => ({});
    // the receipt carries the id in decimal; PocketBase holds the hex form
    await sim.sendReceipt(BigInt('0x' + d.smsc_ids[0]).toString(10), { stat: 'UNDELIV', err: '011', style: 'text' });
    const failed = await row('deliveries', d.id);
    expect(failed).toMatchObject({ status: 'failed', error_code: '011' });
    expect(failed.error).toBe('The carrier reports the message could not be delivered (UNDELIV, error 011)');
  });

  it('an MO text is stored once and lands in the thread for (number, sender)', async () => {
    const resp = await sim.deliver({ source_addr: '12015550123', destination_addr: '12015550100', short_message: Buffer.from('Thanks!') });
    expect(resp.command_status).toBe(0);
    const logRows = await app.superuser.collection('inbound_log').getFullList({ filter: 'body = "Thanks!"' });
    expect(logRows).toHaveLength(1);
    expect(logRows[0]).toMatchObject({ from: '+12015550123', to: '+12015550100', smsc_link: link.id, incomplete: false });
    const msgs = await alice.pb.collection('messages').getFullList({ filter: 'body = "Thanks!"' });
    expect(msgs).toHaveLength(1);
    expect(msgs[0].author_phone).toBe('+12015550123');
  });

  it('a text to a queue number waits with its greeting on the wire; the claimer answers on the wire and gets the follow-up', async () => {
    const su = app.superuser;
    const bob = await createUser(app, { name: 'Bea', extension: '212' });
    const cleo = await createUser(app, { name: 'Cleo', extension: '213' });
    const queue = await su.collection('queues').create({ name: 'Sales', members: [bob.record.id, cleo.record.id], greeting: 'Thanks! An agent will answer shortly.' });
    await su.collection('numbers').create({ e164: '+12015550400', label: 'Sales', sms_enabled: true, mode: 'queue', queue: queue.id, smsc_link: link.id });
    for (const agent of [bob, cleo]) await agent.pb.send(`/api/queue/${queue.id}/login`, { method: 'POST' });
    const from = sim.submits.length;
    const resp = await sim.deliver({ source_addr: '12015550188', destination_addr: '12015550400', short_message: Buffer.from('Is the shop open on Sunday?') });
    expect(resp.command_status).toBe(0);
    await until(() => sim.submits.length > from, 5000, 'greeting submit');
    expect(sim.submits.slice(from).map((x) => [x.source_addr, x.destination_addr, textOf(x)])).toEqual([
      ['12015550400', '12015550188', 'Thanks! An agent will answer shortly.'],
    ]);
    const [waiting] = await bob.pb.collection('conversations').getFullList({ filter: `queue = '${queue.id}' && queue_state = 'waiting'` });
    await cleo.pb.send(`/api/queue/${waiting.id}/claim`, { method: 'POST' });
    await cleo.pb.collection('messages').create({ conversation: waiting.id, body: 'Yes, 10 to 4.' });
    await until(() => sim.submits.some((x) => textOf(x) === 'Yes, 10 to 4.'), 5000, 'reply submit');
    expect(sim.submits.find((x) => textOf(x) === 'Yes, 10 to 4.')).toMatchObject({ source_addr: '12015550400', destination_addr: '12015550188' });
    await sim.deliver({ source_addr: '12015550188', destination_addr: '12015550400', short_message: Buffer.from('Great, thanks') });
    const cleoSees = await cleo.pb.collection('messages').getFullList({ filter: `conversation = '${waiting.id}' && author_phone != ''`, sort: 'created' });
    expect(cleoSees.map((m) => m.body)).toEqual(['Is the shop open on Sunday?', 'Great, thanks']);
    expect(await bob.pb.collection('conversations').getOne(waiting.id).then(() => 'reads', () => 'cannot read')).toBe('cannot read');
  });

  it('a wrong password set by the admin shows as auth_failed; the fix binds again, without a restart', async () => {
    await app.superuser.collection('smsc_links').update(link.id, { password: 'wrong' });
    const r = await poll(() => row('smsc_links', link.id), (x) => x.state === 'auth_failed', 5000, 'auth_failed');
    expect(r).toMatchObject({ state: 'auth_failed', last_error: 'The SMSC refused the password (ESME_RINVPASWD)' });
    await app.superuser.collection('smsc_links').update(link.id, { password: 'secret' });
    await until(() => bridge.link(link.id)?.state === 'bound', 5000, 'bound again');
  });

  it('delivery updates go as batches when PocketBase allows them, one by one when not, and each gets its own answer', async () => {
    // rows the running bridge leaves alone (it only takes queued ones), so
    // its own writes cannot race the ones under test
    const thread = await alice.pb.send<RecordModel>('/api/conversations/sms', { method: 'POST', body: { to: '+12015550126' } });
    const m = await alice.pb.collection('messages').create({ conversation: thread.id, body: 'batch' });
    const finished = async () =>
      app.superuser.collection('deliveries').create({ message: m.id, to: '+12015550126', from: '+12015550100', body: 'batch', status: 'delivered' });
    const d = await finished();
    const connect = () => PocketBaseStore.connect({ url: app.url, email: 'bridge@services.local', password: service.password, log });
    const before = (await app.superuser.settings.getAll()).batch;
    try {
      await app.superuser.settings.update({ batch: { ...before, enabled: false } });
      const oneByOne = await connect();
      // two at once make the store try a batch (refused: off); after that, one
      // by one, each PATCH saves the whole row (PocketBase's last writer
      // wins), so writes on one row go in turn
      const other = await finished();
      const first = await Promise.all([oneByOne.updateDelivery(d.id, { error_code: 'a' }), oneByOne.updateDelivery(other.id, { error: 'x' })]);
      const stamps = [...first, await oneByOne.updateDelivery(d.id, { error: 'b' })];
      expect(oneByOne.batchingEnabled).toBe(false);
      // each write reports the row's new `updated` stamp (the bridge tells stale copies by it)
      expect(stamps.every((t) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/.test(t))).toBe(true);
      expect(await row('deliveries', d.id)).toMatchObject({ error_code: 'a', error: 'b' });

      await app.superuser.settings.update({ batch: { ...before, enabled: true, maxRequests: 50 } });
      const batched = await connect();
      const batchStamps = await Promise.all([batched.updateDelivery(d.id, { error_code: 'c' }), batched.updateDelivery(d.id, { error: 'd' })]);
      expect(batched.batchingEnabled).toBe(true);
      expect(batchStamps[1]).toBe((await row('deliveries', d.id)).updated);
      expect(await row('deliveries', d.id)).toMatchObject({ error_code: 'c', error: 'd' });
      const results = await Promise.allSettled([batched.updateDelivery(d.id, { error: 'e' }), batched.updateDelivery('nosuchdelivery1', { error: 'f' })]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
      expect((await row('deliveries', d.id)).error).toBe('e');

      // a batch over settings.batch.maxRequests is refused; the store sends smaller ones
      await app.superuser.settings.update({ batch: { ...before, enabled: true, maxRequests: 3 } });
      const small = await connect();
      await Promise.all(['1', '2'].map((x) => small.updateDelivery(d.id, { error_code: x })));
      const d2 = await finished();
      // different fields, so the outcome does not depend on which batch lands first
      const fields = ['error', 'error_code'] as const;
      const many = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) => small.updateDelivery(i % 2 ? d.id : d2.id, { [fields[i % 2]]: `n${i}` })),
      );
      expect(many.every((r) => r.status === 'fulfilled')).toBe(true);
    } finally {
      await app.superuser.settings.update({ batch: before });
    }
  });

  // issue 5 through the real bridge: fan-out, relay, routing, opt-out on the wire
  const textOf = (sub: { short_message: Buffer; data_coding: number }) =>
    sub.data_coding === 8 ? Buffer.from(sub.short_message).swap16().toString('utf16le') : sub.short_message.toString('latin1');

  it('a mixed group goes out as one submit_sm per phone, prefixed, and a phone\'s reply reaches the group and the other phone', async () => {
    sim.onSubmit = () => ({});
    const bob = await createUser(app, { name: 'Bob', extension: '202' });
    const g = await alice.pb.send<RecordModel>('/api/conversations/group', {
      method: 'POST',
      body: { title: 'Crew', members: [bob.record.id], phones: ['+12015550161', '+12015550162'] },
    });
    const before = sim.submits.length;
    await alice.pb.collection('messages').create({ conversation: g.id, body: 'On my way' });
    await until(() => sim.submits.length >= before + 2, 5000, 'two submits');
    const out = sim.submits.slice(before).map((x) => [x.destination_addr, textOf(x)]).sort();
    expect(out).toEqual([
      ['12015550161', 'Alice: On my way'],
      ['12015550162', 'Alice: On my way'],
    ]);

    const relayFrom = sim.submits.length;
    const resp = await sim.deliver({ source_addr: '12015550161', destination_addr: '12015550100', short_message: Buffer.from('Gate code 1234') });
    expect(resp.command_status).toBe(0);
    const [reply] = await bob.pb.collection('messages').getFullList({ filter: `conversation = "${g.id}" && author_phone = "+12015550161"` });
    expect(reply.body).toBe('Gate code 1234');
    await until(() => sim.submits.length >= relayFrom + 1, 5000, 'relay submit');
    const relay = sim.submits.slice(relayFrom);
    expect(relay.map((x) => [x.destination_addr, textOf(x)])).toEqual([['12015550162', '(201) 555-0161: Gate code 1234']]);
  });

  // issue 13: phones get a photo as a link, after it is processed
  it('a photo to a mixed group puts the text and the link in each phone\'s submit_sm, and the segments count the link', async () => {
    sim.onSubmit = () => ({});
    const su = app.superuser;
    const settings = await su.collection('settings').getFirstListItem('');
    await su.collection('settings').update(settings.id, { public_url: app.url });
    const worker = new MediaWorker({ url: app.url, email: 'bridge@services.local', password: service.password, log });
    await worker.start();
    try {
      const bob = await createUser(app, { name: 'Bo', extension: '203' });
      const g = await alice.pb.send<RecordModel>('/api/conversations/group', {
        method: 'POST',
        body: { title: 'Site', members: [bob.record.id], phones: ['+12015550181', '+12015550182'] },
      });
      const photo = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 90, g: 90, b: 90 } } }).jpeg().toBuffer();
      const form = new FormData();
      form.append('conversation', g.id);
      form.append('client_key', 'photo-1');
      form.append('position', '0');
      form.append('file', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'crack.jpg');
      await alice.pb.collection('uploads').create(form);
      // 'Alice: ' + 120 characters fits one SMS; the link makes it two
      const caption = 'The crack in the wall by the back door. '.repeat(3);
      expect(('Alice: ' + caption).length).toBeLessThanOrEqual(160);
      const before = sim.submits.length;
      const m = await alice.pb.collection('messages').create({ conversation: g.id, body: caption, client_key: 'photo-1', with_files: true });
      await until(() => sim.submits.length >= before + 4, 5000, 'two parts per phone');
      const deliveries = await su.collection('deliveries').getFullList({ filter: `message = "${m.id}"`, sort: 'to' });
      const link = deliveries[0].body.split('\n')[1];
      expect(link).toMatch(new RegExp(`^${app.url}/f/[A-Za-z0-9]{22}$`));
      expect(deliveries.map((d) => [d.to, d.body, d.segments])).toEqual([
        ['+12015550181', `Alice: ${caption}\n${link}`, 2],
        ['+12015550182', `Alice: ${caption}\n${link}`, 2],
      ]);
      // on the wire: each phone's two concatenated parts (UDH first) join to the text and the link
      const parts = sim.submits.slice(before);
      for (const phone of ['12015550181', '12015550182']) {
        const mine = parts.filter((x) => x.destination_addr === phone);
        expect(mine).toHaveLength(2);
        expect(mine.every((x) => (x.esm_class & 0x40) !== 0)).toBe(true);
        const joined = mine
          .map((x) => x.short_message.subarray(x.short_message[0] + 1))
          .map((b) => b.toString('latin1'))
          .join('');
        expect(joined).toBe(`Alice: ${caption}\n${link}`);
      }
      // the link opens the processed photo without signing in
      const res = await fetch(link);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
    } finally {
      await worker.stop();
    }
  });

  it('STOP on the wire opts the phone out with one confirmation; sending is then refused', async () => {
    const thread = await alice.pb.send<RecordModel>('/api/conversations/sms', { method: 'POST', body: { to: '+12015550171' } });
    await alice.pb.collection('messages').create({ conversation: thread.id, body: 'Reminder' });
    await until(() => sim.submits.some((x) => x.destination_addr === '12015550171'), 5000, 'reminder submit');
    const from = sim.submits.length;
    await sim.deliver({ source_addr: '12015550171', destination_addr: '12015550100', short_message: Buffer.from('STOP') });
    await until(() => sim.submits.length >= from + 1, 5000, 'confirmation submit');
    expect(sim.submits.slice(from).map((x) => [x.destination_addr, textOf(x)])).toEqual([
      ['12015550171', 'You are unsubscribed and will get no more texts from this number. Reply START to subscribe again.'],
    ]);
    const refused = await alice.pb.collection('messages').create({ conversation: thread.id, body: 'Still there?' }).then(
      () => '',
      (e) => e.response.data.body.message as string,
    );
    expect(refused).toMatch(/^\(201\) 555-0171 opted out of texts from this number on \d{4}-\d\d-\d\d \(replied STOP\)\.$/);
  });

  it('a delivery left sending by a crash: unknown without a journal history, resent when the journal shows it never reached the socket', async () => {
    await bridge.stop();
    const thread = await alice.pb.send<RecordModel>('/api/conversations/sms', { method: 'POST', body: { to: '+12015550125' } });
    const m = await alice.pb.collection('messages').create({ conversation: thread.id, body: 'in doubt' });
    const [d] = await app.superuser.collection('deliveries').getFullList({ filter: `message = "${m.id}"` });
    await app.superuser.collection('deliveries').update(d.id, { status: 'sending', attempts: 1 });
    const before = sim.submits.length;
    bridge = new Bridge({ store, log }, { ...TEST_BRIDGE, sweepMs: 500, journal: Journal.memory(new MemorySink(false)) });
    await bridge.start();
    expect(await row('deliveries', d.id)).toMatchObject({ status: 'unknown', error: 'Outcome unknown after a bridge restart; not resent to avoid a duplicate' });
    expect(sim.submits.length).toBe(before);

    // a person retries it: allowed for an unknown outcome
    const retried = await alice.pb.send(`/api/deliveries/${d.id}/retry`, { method: 'POST' });
    expect(retried.status).toBe('queued');
    await poll(() => row('deliveries', d.id), (x) => x.status === 'delivered', 5000, 'delivered after retry');

    await bridge.stop();
    const m2 = await alice.pb.collection('messages').create({ conversation: thread.id, body: 'taken, not written' });
    const [d2] = await app.superuser.collection('deliveries').getFullList({ filter: `message = "${m2.id}"` });
    await app.superuser.collection('deliveries').update(d2.id, { status: 'sending', attempts: 1 });
    bridge = new Bridge({ store, log }, { ...TEST_BRIDGE, sweepMs: 500, journal: Journal.memory(new MemorySink(true)) });
    await bridge.start();
    const done = await poll(() => row('deliveries', d2.id), (x) => x.status === 'delivered', 5000, 'resent and delivered');
    expect(done.attempts).toBe(2);
    expect(done.attempt_log.map((e: { result: string }) => e.result)).toEqual(['delivered']);
  });
});
