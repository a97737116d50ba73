// Deliveries out, through the bridge, against the simulator: encoding,
// splitting, receipts, retries, throttling and the written states.

import { afterEach, describe, expect, it } from 'vitest';
import { encodeGsm7 } from '../../src/lib/domain/gsm7.js';
import { Bridge } from '../src/pipeline/bridge.js';
import { Journal, MemorySink, type JournalRecord } from '../src/pipeline/journal.js';
import { concatRef, MAYBE_NOT_SENT, UNKNOWN_AFTER_RESTART } from '../src/pipeline/outbound.js';
import { pbDate, type Delivery } from '../src/pipeline/store.js';
import { CUSTOMER, OUR_NUMBER, startHarness, TEST_BRIDGE, type Harness } from './bridge-harness.js';
import { log, until } from './helpers.js';
import type { SimSubmit, SubmitAction } from './smsc-simulator.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

function history(id: string): string[] {
  const seen: string[] = [];
  h!.store.on('delivery-updated', (d: Delivery) => {
    if (d.id === id && seen[seen.length - 1] !== d.status) seen.push(d.status);
  });
  return seen;
}

const done = (d: Delivery) => d.status === 'delivered' || d.status === 'failed';

describe('sending', () => {
  it('a queued delivery becomes one submit_sm, is written sending → sent with its id, and its receipt makes it delivered', async () => {
    h = await startHarness();
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'Hello [world] €5' });
    const seen = history(d.id);
    const final = await h.store.waitForDelivery(d.id, done);
    expect(final).toMatchObject({ status: 'delivered', attempts: 1, link: 'L1', segments: 1, encoding: 'GSM-7', error: '' });
    expect(final.smsc_ids).toEqual([h.sim.submits[0].id]);
    expect(final.sent_at).not.toBe('');
    expect(final.done_at).not.toBe('');
    expect(seen[0]).toBe('sending');
    expect(seen[seen.length - 1]).toBe('delivered');
    const s = h.sim.submits[0];
    expect(s).toMatchObject({
      source_addr: '15551230001',
      source_addr_ton: 1,
      source_addr_npi: 1,
      destination_addr: '15557654321',
      dest_addr_ton: 1,
      dest_addr_npi: 1,
      esm_class: 0,
      data_coding: 0,
      registered_delivery: 1,
    });
    // GSM 03.38 with the extension table, one septet per octet
    expect([...s.short_message]).toEqual([...encodeGsm7('Hello [world] €5')]);
    expect(h.metrics.submitted.get({ link: 'sim' })).toBe(1);
    // counters move once the write returned, just after the store saw it
    await until(() => h!.metrics.delivered.get({ link: 'sim' }) === 1, 1000, 'the delivered counter');
  });

  it('a long UCS-2 text goes as UDH parts with one reference, and the part receipts combine into delivered', async () => {
    h = await startHarness();
    const body = '😀 ' + 'Ünïcødé text that needs UCS-2 and more than one part. '.repeat(3);
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body });
    const final = await h.store.waitForDelivery(d.id, done);
    expect(final.status).toBe('delivered');
    expect(final.encoding).toBe('UCS-2');
    const parts = h.sim.submits;
    expect(parts.length).toBe(final.segments);
    expect(parts.length).toBe(3);
    const ref = concatRef(d.id, false);
    parts.forEach((p, i) => {
      expect(p.esm_class & 0x40).toBe(0x40);
      expect(p.data_coding).toBe(8);
      expect([...p.short_message.subarray(0, 6)]).toEqual([0x05, 0x00, 0x03, ref, 3, i + 1]);
    });
    expect(final.smsc_ids).toEqual(parts.map((p) => p.id));
    // the emoji's surrogate pair is intact in part 1
    expect([...parts[0].short_message.subarray(6, 10)]).toEqual([0xd8, 0x3d, 0xde, 0x00]);
  });

  it('a 16-bit reference link sends 06 08 04 headers', async () => {
    h = await startHarness({ link: { ref16: true } });
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'x'.repeat(200) });
    await h.store.waitForDelivery(d.id, done);
    const ref = concatRef(d.id, true);
    expect(h.sim.submits.map((p) => [...p.short_message.subarray(0, 7)])).toEqual([
      [0x06, 0x08, 0x04, ref >> 8, ref & 0xff, 2, 1],
      [0x06, 0x08, 0x04, ref >> 8, ref & 0xff, 2, 2],
    ]);
    expect(h.sim.submits.map((p) => p.short_message.length - 7)).toEqual([152, 48]);
  });

  it('one undelivered part makes the whole delivery failed, with the receipt error', async () => {
    h = await startHarness();
    let n = 0;
    h.sim.onSubmit = () => (++n === 2 ? { receipt: { stat: 'UNDELIV', err: '034' } } : {});
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'y'.repeat(300) });
    const final = await h.store.waitForDelivery(d.id, done);
    expect(final).toMatchObject({ status: 'failed', error_code: '034' });
    expect(final.error).toBe('The carrier reports the message could not be delivered (UNDELIV, error 034)');
    await until(() => h!.metrics.failed.get({ link: 'sim' }) === 1, 1000, 'the failed counter');
  });

  it('stays sent until every part has its receipt', async () => {
    h = await startHarness();
    let n = 0;
    h.sim.onSubmit = () => (++n === 3 ? { receipt: false } : {});
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'z'.repeat(400) });
    const sent = await h.store.waitForDelivery(d.id, (x) => x.status === 'sent');
    // two receipts came; the third part has none yet
    await new Promise((r) => setTimeout(r, 50));
    expect(h.store.deliveries.get(d.id)!.status).toBe('sent');
    await h.sim.sendReceipt(sent.smsc_ids[2]);
    expect((await h.store.waitForDelivery(d.id, done)).status).toBe('delivered');
  });

  it('an empty text fails with a reason and sends nothing', async () => {
    h = await startHarness();
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: '' });
    const final = await h.store.waitForDelivery(d.id, done);
    expect(final.error).toMatch(/cannot be sent as SMS: empty text/);
    expect(h.sim.submits).toHaveLength(0);
  });

  it('honours max_per_second', async () => {
    h = await startHarness({ link: { max_per_second: 5 } });
    const times: number[] = [];
    h.sim.on('submit', () => times.push(Date.now()));
    const ds = Array.from({ length: 7 }, (_, i) => h!.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: `m${i}` }));
    await Promise.all(ds.map((d) => h!.store.waitForDelivery(d.id, (x) => x.status !== 'queued' && x.status !== 'sending')));
    // a burst of one second's worth (5), then one every 200 ms
    expect(times[6] - times[0]).toBeGreaterThanOrEqual(330);
  });
});

describe('receipts', () => {
  it('a receipt that arrives before the submit_sm_resp is applied, not dropped', async () => {
    h = await startHarness();
    h.sim.onSubmit = () => ({ receipt: { before: true } });
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'early' });
    const final = await h.store.waitForDelivery(d.id, done);
    expect(final.status).toBe('delivered');
    expect(h.bridge.receipts.earlyCount).toBe(0);
  });

  it('on a tx+rx pair, a receipt that beats its submit_sm_resp is held in memory, without asking the store', async () => {
    h = await startHarness({ link: { bind: 'tx_rx' } });
    h.sim.onSubmit = () => ({ receipt: { before: true } });
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'pair' });
    expect((await h.store.waitForDelivery(d.id, done)).status).toBe('delivered');
    expect(h.sim.submits[0].session.bound).toBe('transmitter');
    expect(h.store.calls.findDeliveriesBySmscIds ?? 0).toBe(0);
  });

  it('a receipt held while other submits were in flight is looked up in the store later', async () => {
    h = await startHarness();
    h.sim.onSubmit = (s): SubmitAction => (s.destination_addr === '15550000002' ? { noResponse: true } : { receipt: false });
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'forgotten' });
    const sent = await h.store.waitForDelivery(d.id, (x) => x.status === 'sent');
    h.bridge.receipts.forget(d.id);
    // a second submit stays in flight, so the receipt looks like an early one at first
    h.store.queue({ to: '+15550000002', from: OUR_NUMBER, body: 'slow' });
    await until(() => h!.sim.submits.length === 2, 1000, 'the slow submit');
    expect((await h.sim.sendReceipt(sent.smsc_ids[0])).command_status).toBe(0);
    expect(h.store.deliveries.get(d.id)!.status).toBe('sent');
    expect((await h.store.waitForDelivery(d.id, done)).status).toBe('delivered');
  });

  it.each([
    ['auto', 'text', true],
    ['hex', 'text', true],
    ['auto', 'tlv', true],
  ] as const)("id_format %s: a hex submit id matches a decimal receipt id (%s)", async (format, style, nul) => {
    h = await startHarness({ link: { id_format: format } });
    h.sim.onSubmit = () => ({ receipt: { style, tlvNul: nul, idForm: (id) => BigInt('0x' + id).toString(10) } });
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'ids' });
    expect((await h.store.waitForDelivery(d.id, done)).status).toBe('delivered');
  });

  it('a receipted_message_id TLV without its NUL (GoIP) still matches', async () => {
    h = await startHarness();
    h.sim.onSubmit = () => ({ receipt: { style: 'tlv', tlvNul: false } });
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'goip' });
    expect((await h.store.waitForDelivery(d.id, done)).status).toBe('delivered');
  });

  it('after a restart, a receipt finds its delivery through the store', async () => {
    h = await startHarness();
    h.sim.onSubmit = () => ({ receipt: false });
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'later' });
    const sent = await h.store.waitForDelivery(d.id, (x) => x.status === 'sent');
    // forget everything in memory, as a restarted bridge would have
    h.bridge.receipts.forget(d.id);
    const before = h.store.calls.findDeliveriesBySmscIds ?? 0;
    await h.sim.sendReceipt(sent.smsc_ids[0], { stat: 'EXPIRED', style: 'text' });
    const final = await h.store.waitForDelivery(d.id, done);
    expect(final).toMatchObject({ status: 'failed', error: 'The carrier reports the message expired before it could be delivered (EXPIRED)' });
    expect(h.store.calls.findDeliveriesBySmscIds).toBe(before + 1);
  });

  it('an intermediate receipt (ENROUTE) changes nothing', async () => {
    h = await startHarness();
    h.sim.onSubmit = () => ({ receipt: { stat: 'ENROUTE' } });
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'enroute' });
    const sent = await h.store.waitForDelivery(d.id, (x) => x.status === 'sent');
    await new Promise((r) => setTimeout(r, 50));
    expect(h.store.deliveries.get(d.id)!.status).toBe('sent');
    await h.sim.sendReceipt(sent.smsc_ids[0]);
    expect((await h.store.waitForDelivery(d.id, done)).status).toBe('delivered');
  });
});

describe('retries', () => {
  it('throttling pauses the link at least a second, lowers the rate, and the message still goes', async () => {
    h = await startHarness();
    let n = 0;
    h.sim.onSubmit = (): SubmitAction => (++n === 1 ? { status: 0x58 } : {});
    const t0 = Date.now();
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'slow down' });
    const final = await h.store.waitForDelivery(d.id, done, 5000);
    expect(final).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(h.metrics.throttled.get({ link: 'sim' })).toBe(1);
    expect(h.bridge.sender('L1')!.rateNow).toBeGreaterThan(0);
  });

  it('a full SMSC queue is retried after a pause without counting an attempt', async () => {
    h = await startHarness({ bridge: { outbound: { queueFullPauseMs: 30 } } });
    let n = 0;
    h.sim.onSubmit = (): SubmitAction => (++n === 1 ? { status: 0x14 } : {});
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'full' });
    expect(await h.store.waitForDelivery(d.id, done)).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(h.sim.submits).toHaveLength(2);
    expect(h.metrics.retried.get({ link: 'sim' })).toBe(1);
  });

  it('no response: the delivery goes back to queued with a reason, and the next attempt sends it', async () => {
    h = await startHarness({ bridge: { link: { timers: { responseTimeoutMs: 150 } } } });
    let n = 0;
    h.sim.onSubmit = (): SubmitAction => (++n === 1 ? { noResponse: true } : {});
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'hello?' });
    const retry = await h.store.waitForDelivery(d.id, (x) => x.status === 'queued' && x.attempts === 1);
    expect(retry.error).toBe("SMSC link 'sim' did not answer in time; retrying");
    expect(retry.error_code).toBe('timeout');
    expect(retry.next_attempt_at).not.toBe('');
    expect(await h.store.waitForDelivery(d.id, done)).toMatchObject({ status: 'delivered', attempts: 2, error: '' });
  });

  it('a permanent error fails at once with a readable reason and the SMPP status', async () => {
    h = await startHarness();
    h.sim.onSubmit = () => ({ status: 0x0b });
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'nope' });
    const final = await h.store.waitForDelivery(d.id, done);
    expect(final).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: 'The SMSC rejected the recipient number (ESME_RINVDSTADR)',
      error_code: '0x0000000B',
    });
    expect(h.sim.submits).toHaveLength(1);
  });

  it('gives up after maxAttempts temporary errors', async () => {
    h = await startHarness();
    h.sim.onSubmit = () => ({ status: 0x08 });
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'doomed' });
    const final = await h.store.waitForDelivery(d.id, done);
    expect(final).toMatchObject({ status: 'failed', attempts: 3, error_code: '0x00000008' });
    expect(final.error).toBe('Gave up after 3 attempts: The SMSC reported a system error (ESME_RSYSERR)');
    expect(h.sim.submits).toHaveLength(3);
  });

  it('a retry of a long text resends only the missing part, with the same reference', async () => {
    h = await startHarness();
    let n = 0;
    h.sim.onSubmit = (): SubmitAction => (++n === 2 ? { status: 0x08 } : {});
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'w'.repeat(400) });
    const partial = await h.store.waitForDelivery(d.id, (x) => x.status === 'queued' && x.attempts === 1);
    expect(partial.smsc_ids.map((id) => id !== '')).toEqual([true, false, true]);
    const final = await h.store.waitForDelivery(d.id, done);
    expect(final).toMatchObject({ status: 'delivered', attempts: 2 });
    const subs = h.sim.submits;
    expect(subs).toHaveLength(4);
    expect(subs[3].short_message.subarray(0, 6)).toEqual(subs[1].short_message.subarray(0, 6));
    expect(final.smsc_ids).toEqual([subs[0].id, subs[3].id, subs[2].id]);
  });

  it('when PocketBase is down at the final write, the outcome is written once it is back, not lost', async () => {
    h = await startHarness();
    h.sim.onSubmit = () => {
      // the `sending` write went through; the next ones fail for a while
      h!.store.failUpdates = true;
      setTimeout(() => (h!.store.failUpdates = false), 300);
      return {};
    };
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'patience' });
    const final = await h.store.waitForDelivery(d.id, done, 4000);
    expect(final).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(final.smsc_ids).toEqual([h.sim.submits[0].id]);
  });

  it('a failed delivery that a person retries (attempts reset to 0) goes out whole again', async () => {
    h = await startHarness();
    h.sim.onSubmit = () => ({ receipt: { stat: 'UNDELIV' } });
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'v'.repeat(200) });
    const failed = await h.store.waitForDelivery(d.id, done);
    expect(failed.status).toBe('failed');
    h.sim.onSubmit = () => ({});
    // what POST /api/deliveries/{id}/retry writes
    await h.store.updateDelivery(d.id, { status: 'queued', attempts: 0, error: '', error_code: '', next_attempt_at: '', done_at: '' });
    const again = await h.store.waitForDelivery(d.id, done);
    expect(again).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(h.sim.submits).toHaveLength(4);
    expect(again.smsc_ids).toEqual([h.sim.submits[2].id, h.sim.submits[3].id]);
  });

  it('a disconnect with a full window: every delivery is retried after the reconnect and sent', async () => {
    h = await startHarness({ link: { window: 2 } });
    let dropped = false;
    h.sim.onSubmit = (): SubmitAction => (dropped ? {} : { noResponse: true });
    const ds = [1, 2, 3, 4].map((i) => h!.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: `w${i}` }));
    await h.sim.waitFor<SimSubmit>('submit', () => h!.sim.submits.length === 2);
    dropped = true;
    h.sim.dropAll();
    const finals = await Promise.all(ds.map((d) => h!.store.waitForDelivery(d.id, done, 4000)));
    expect(finals.map((f) => f.status)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
    // the two that were in flight may have reached the SMSC: they were retried, and counted
    expect(finals.filter((f) => f.attempts === 2).length).toBeGreaterThanOrEqual(2);
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const textOf = (x: SimSubmit) => x.short_message.toString('latin1');

describe('a link down is no reason to fail', () => {
  it('while the link is down texts stay queued, untouched and unclaimed, then go out in order once it binds', async () => {
    let allow = false;
    h = await startHarness({ waitBound: false, before: ({ sim }) => (sim.bindStatus = () => (allow ? 0 : 0x08)) });
    const ds = [1, 2, 3, 4, 5].map((i) => h!.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: `wait ${i}` }));
    // many hold periods (150 ms) and sweep periods (50 ms)
    await sleep(800);
    expect(h.store.calls.updateDelivery ?? 0).toBe(0);
    for (const d of ds) expect(h.store.deliveries.get(d.id)).toMatchObject({ status: 'queued', attempts: 0, error: '', error_code: '' });
    expect(h.bridge.memory.claimed).toBe(0);
    expect(h.store.links.get('L1')).toMatchObject({ state: 'down', waiting: 5 });
    expect(h.store.links.get('L1')!.down_since).not.toBe('');
    allow = true;
    const finals = await Promise.all(ds.map((d) => h!.store.waitForDelivery(d.id, done, 4000)));
    expect(finals.map((f) => [f.status, f.attempts])).toEqual(ds.map(() => ['delivered', 1]));
    expect(h.sim.submits.map((x) => textOf(x))).toEqual(['wait 1', 'wait 2', 'wait 3', 'wait 4', 'wait 5']);
    await until(() => h!.store.links.get('L1')!.waiting === 0 && h!.store.links.get('L1')!.down_since === '', 2000, 'waiting 0, down_since cleared');
  });

  it('a disabled link holds its texts the same way; enabling it sends them', async () => {
    h = await startHarness({ link: { enabled: false } });
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'after lunch' });
    await sleep(400);
    expect(h.store.deliveries.get(d.id)).toMatchObject({ status: 'queued', attempts: 0, error: '' });
    h.store.addLink({ id: 'L1', name: 'sim', host: '127.0.0.1', port: h.sim.port, enabled: true });
    expect(await h.store.waitForDelivery(d.id, done, 4000)).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('past the link\'s validity a waiting text fails as expired, never sent', async () => {
    h = await startHarness({ waitBound: false, link: { validity_s: 0.3 }, before: ({ sim }) => (sim.bindStatus = () => 0x08) });
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'too late' });
    const final = await h.store.waitForDelivery(d.id, done, 5000);
    expect(final).toMatchObject({ status: 'failed', error_code: 'expired', attempts: 0 });
    expect(final.error).toMatch(/^expired: the link was down for \d+ s$/);
    expect(h.sim.submits).toHaveLength(0);
  });

  it('a text found past its validity when the link is back is not sent', async () => {
    h = await startHarness({
      link: { validity_s: 60 },
      before: ({ store }) => {
        store.queue({ id: 'old', to: CUSTOMER, from: OUR_NUMBER, body: 'stale', queued_at: pbDate(Date.now() - 120_000) });
      },
    });
    const fresh = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'fresh' });
    expect(await h.store.waitForDelivery(fresh.id, done, 4000)).toMatchObject({ status: 'delivered' });
    expect(await h.store.waitForDelivery('old', done, 4000)).toMatchObject({ status: 'failed', error_code: 'expired' });
    expect(h.sim.submits.map((x) => textOf(x))).toEqual(['fresh']);
  });

  it('a large backlog for a down link costs a constant number of store calls: counts, no lists of it, no writes', async () => {
    h = await startHarness({ waitBound: false, bridge: { waitingRefreshMs: 100, blockedCheckMs: 200 }, before: ({ sim }) => (sim.bindStatus = () => 0x08) });
    for (let i = 0; i < 2000; i++) h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: `bulk ${i}` });
    await sleep(300);
    const before = { ...h.store.calls };
    await sleep(1500);
    const used = (k: string) => (h!.store.calls[k] ?? 0) - (before[k] ?? 0);
    expect(used('updateDelivery')).toBe(0);
    // the sweep (every 50 ms) reads only the lane of texts without a link; the down link is counted now and then
    expect(used('listDueDeliveries')).toBeLessThanOrEqual(1500 / 50 + 2);
    expect(used('countWaiting')).toBeLessThanOrEqual(1500 / 200 + 2);
    expect(used('updateLink')).toBeLessThanOrEqual(1);
    expect(h.bridge.memory.claimed).toBe(0);
    expect(h.store.links.get('L1')!.waiting).toBe(2000);
  });
});

describe('draining a backlog', () => {
  it('a text posted while a backlog drains goes before the rest of the backlog', async () => {
    h = await startHarness({
      link: { max_per_second: 10 },
      before: ({ store }) => {
        for (let i = 0; i < 30; i++) store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: `backlog ${i}` });
      },
    });
    await until(() => h!.sim.submits.length >= 5, 3000, 'the drain started');
    h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'a person writes' });
    await until(() => h!.sim.submits.length === 31, 6000, 'everything sent');
    const order = h.sim.submits.map((x) => textOf(x));
    // the burst of a second's worth (10) is under way; the person's text is next
    expect(order.indexOf('a person writes')).toBeLessThan(14);
    // the backlog itself goes in queue order, each once
    expect(order.filter((t) => t.startsWith('backlog'))).toEqual(Array.from({ length: 30 }, (_, i) => `backlog ${i}`));
  });

  it('a slow `sending` write holds back the texts behind it instead of being overtaken: submits keep queue order', async () => {
    let slowed = '';
    h = await startHarness({
      before: ({ store }) => {
        const ds = Array.from({ length: 20 }, (_, i) => store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: `in order ${i}` }));
        // the third text's `sending` write (a busy database) takes far longer than the rest
        slowed = ds[2].id;
        store.beforeUpdate = async (id, patch) => {
          if (id === slowed && patch.status === 'sending') await sleep(300);
        };
      },
    });
    await until(() => h!.sim.submits.length === 20, 5000, 'everything sent');
    expect(h.sim.submits.map((x) => textOf(x))).toEqual(Array.from({ length: 20 }, (_, i) => `in order ${i}`));
    expect(h.store.deliveries.get(slowed)!.attempts).toBe(1);
  });
});

describe('routing and recovery', () => {
  it('fails a delivery from a number that is not ours, or has no link', async () => {
    h = await startHarness();
    h.store.setNumber('+15550000000', null);
    const a = h.store.queue({ to: CUSTOMER, from: '+15559999999', body: 'a' });
    const b = h.store.queue({ to: CUSTOMER, from: '+15550000000', body: 'b' });
    expect((await h.store.waitForDelivery(a.id, done)).error).toBe('+15559999999 is not one of our business numbers');
    expect((await h.store.waitForDelivery(b.id, done)).error).toBe('No SMSC link is set for +15550000000');
  });

  it('without a journal history, a delivery left sending is unknown, never resent; queued ones go out', async () => {
    h = await startHarness({
      bridge: { journal: Journal.memory(new MemorySink(false)) },
      before: ({ store }) => {
        store.queue({ id: 'crashed', to: CUSTOMER, from: OUR_NUMBER, body: 'maybe sent', status: 'sending', attempts: 1 });
        store.queue({ id: 'waiting', to: CUSTOMER, from: OUR_NUMBER, body: 'not sent yet' });
      },
    });
    const crashed = await h.store.waitForDelivery('crashed', (d) => d.status === 'unknown');
    expect(crashed).toMatchObject({ status: 'unknown', error: UNKNOWN_AFTER_RESTART, error_code: 'unknown_after_restart' });
    expect((await h.store.waitForDelivery('waiting', done)).status).toBe('delivered');
    expect(h.sim.submits.map((s) => s.short_message.toString())).toEqual(['not sent yet']);
  });

  // what the journal of the crashed run says → what the next start makes of a row left `sending`
  const crashCases: { name: string; records: JournalRecord[]; parts?: number; want: Partial<Delivery>; resent: boolean }[] = [
    { name: 'taken, nothing written to the socket → sent again', records: [], want: { status: 'delivered', attempts: 2 }, resent: true },
    {
      name: 'written, no answer → unknown ("may not have been sent"), not resent',
      records: [{ t: 'w', d: 'x', a: 1, p: 0, n: 1 }],
      want: { status: 'unknown', error: MAYBE_NOT_SENT, error_code: 'unknown_after_restart' },
      resent: false,
    },
    {
      name: 'accepted with its id → sent with that id, not resent',
      records: [{ t: 'w', d: 'x', a: 1, p: 0, n: 1 }, { t: 'a', d: 'x', a: 1, p: 0, id: 'ABC1' }],
      want: { status: 'sent', smsc_ids: ['ABC1'] },
      resent: false,
    },
    {
      name: 'refused with an answer → queued again and sent',
      records: [{ t: 'w', d: 'x', a: 1, p: 0, n: 1 }, { t: 'x', d: 'x', a: 1, p: 0 }],
      want: { status: 'delivered', attempts: 2 },
      resent: true,
    },
    {
      name: 'outcome decided but not stored → stored as decided',
      records: [{ t: 'w', d: 'x', a: 1, p: 0, n: 1 }, { t: 'a', d: 'x', a: 1, p: 0, id: 'ABC2' }, { t: 'o', d: 'x', a: 1, patch: { status: 'sent', smsc_ids: ['ABC2'] } }],
      want: { status: 'sent', smsc_ids: ['ABC2'] },
      resent: false,
    },
  ];
  for (const c of crashCases) {
    it(`after a crash: ${c.name}`, async () => {
      const sink = new MemorySink(true);
      sink.data = c.records.map((r) => JSON.stringify(r) + '\n').join('');
      h = await startHarness({
        bridge: { journal: Journal.memory(sink) },
        before: ({ store }) => void store.queue({ id: 'x', to: CUSTOMER, from: OUR_NUMBER, body: 'in flight', status: 'sending', attempts: 1, link: 'L1' }),
      });
      const final = await h.store.waitForDelivery('x', (d) => d.status !== 'sending' && d.status !== 'queued' && (!c.resent || d.status === 'delivered'));
      expect(final).toMatchObject(c.want);
      expect(h.sim.submits.length).toBe(c.resent ? 1 : 0);
      await until(() => h!.bridge.journal.openCount === 0, 1000, 'the journal to settle');
    });
  }

  it('a receipt acknowledged while the `sent` write failed is stored after a restart, from the journal', async () => {
    const sink = new MemorySink(true);
    const journal = Journal.memory(sink);
    h = await startHarness({ bridge: { journal } });
    h.sim.onSubmit = () => ({ receipt: false });
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'r' });
    const sent = await h.store.waitForDelivery(d.id, (x) => x.status === 'sent');
    h.store.failUpdates = true;
    // durable in the journal, so acknowledged although PocketBase cannot take it
    expect((await h.sim.sendReceipt(sent.smsc_ids[0])).command_status).toBe(0);
    await h.bridge.stop();
    expect(h.store.deliveries.get(d.id)!.status).toBe('sent');
    h.store.failUpdates = false;
    // the next run, on the same journal
    const next = new Bridge({ store: h.store, log }, { ...TEST_BRIDGE, journal: Journal.memory(sink) });
    await next.start();
    expect((await h.store.waitForDelivery(d.id, done)).status).toBe('delivered');
    await next.stop();
  });

  it('a backlog larger than a sweep batch drains at once, not one batch per sweep period', async () => {
    h = await startHarness({
      bridge: { sweepMs: 60_000, sweepBatch: 20 },
      before: ({ store }) => {
        for (let i = 0; i < 70; i++) {
          const id = `backlog${String(i).padStart(7, '0')}`;
          store.deliveries.set(id, {
            id, to: CUSTOMER, from: OUR_NUMBER, body: `b${i}`, status: 'queued', segments: 1, encoding: '', smsc_ids: [],
            attempts: 0, next_attempt_at: '', error: '', error_code: '', link: '', sent_at: '', done_at: '',
            // recent: well within the link's validity
            created: pbDate(Date.now() - 60_000 + i),
          });
        }
      },
    });
    await until(() => [...h!.store.deliveries.values()].every((d) => d.status === 'delivered'), 3000, 'the backlog delivered');
    expect(h.sim.submits).toHaveLength(70);
    // pulls read on from the last batch instead of rereading rows already claimed
    expect(h.store.calls.listDueDeliveries).toBeLessThan(20);
  });

  it('a stale copy of a delivery already sent (a late event, a slow sweep) does not send it again', async () => {
    let stale: Delivery | undefined;
    h = await startHarness({
      before: ({ store }) => {
        const list = store.listDueDeliveries.bind(store);
        // the sweep hands back the row as it was when first seen, as a read that raced our writes would
        store.listDueDeliveries = async (limit, from) => (stale ? [structuredClone(stale)] : list(limit, from));
      },
    });
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'once only' });
    stale = structuredClone(d);
    await h.store.waitForDelivery(d.id, done);
    h.store.replay('create', stale);
    await h.bridge.sweep();
    await new Promise((r) => setTimeout(r, 100));
    expect(h.sim.submits).toHaveLength(1);
    expect(h.store.deliveries.get(d.id)!.attempts).toBe(1);
  });

  it('the sweep picks up deliveries whose realtime event was missed, and due retries', async () => {
    h = await startHarness();
    // written straight into the store: no realtime event
    h.store.deliveries.set('quiet', {
      id: 'quiet', to: CUSTOMER, from: OUR_NUMBER, body: 'quiet', status: 'queued', segments: 1, encoding: '',
      smsc_ids: [], attempts: 0, next_attempt_at: '', error: '', error_code: '', link: '', sent_at: '', done_at: '',
    });
    expect((await h.store.waitForDelivery('quiet', done)).status).toBe('delivered');
  });
});

describe('possible duplicates', () => {
  it('a text sent again after its first submit_sm got no answer (the SMSC dropped the connection) keeps both attempts and says it may have gone twice', async () => {
    h = await startHarness();
    let n = 0;
    h.sim.onSubmit = (): SubmitAction => (n++ === 0 ? { noResponse: true } : {});
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'twice?' });
    await h.sim.waitFor('submit');
    h.sim.dropAll();
    const final = await h.store.waitForDelivery(d.id, done, 5000);
    expect(final).toMatchObject({ status: 'delivered', attempts: 2, maybe_duplicate: true });
    expect(final.attempt_log!.map((e) => [e.n, e.unanswered, e.code ?? ''])).toEqual([
      [1, [0], 'link_lost'],
      [2, [], ''],
    ]);
    expect(final.attempt_log![1].ids).toEqual([h.sim.submits[1].id]);
    expect(h.sim.submits).toHaveLength(2);
  });

  it('a text refused with an answer and sent again is no possible duplicate', async () => {
    h = await startHarness();
    let n = 0;
    h.sim.onSubmit = (): SubmitAction => (n++ === 0 ? { status: 0x08 } : {});
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'once' });
    const final = await h.store.waitForDelivery(d.id, done, 5000);
    expect(final).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(final.maybe_duplicate).toBeFalsy();
    expect(final.attempt_log!.map((e) => e.unanswered)).toEqual([[], []]);
  });

  it('giving up after a submit that never got an answer ends unknown, not failed', async () => {
    h = await startHarness();
    h.sim.onSubmit = () => ({ noResponse: true });
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'lost answers' });
    const final = await h.store.waitForDelivery(d.id, (x) => x.status === 'unknown' || x.status === 'failed', 10_000);
    expect(final).toMatchObject({ status: 'unknown', attempts: 3, error_code: 'timeout', maybe_duplicate: true });
  }, 15_000);
});
