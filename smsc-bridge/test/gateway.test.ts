// GSM modem gateways (issue 17), against the simulator behaving as one:
// it drops a session that has been quiet, and sends decimal ids. Timings are
// scaled down (a 1 s quiet-drop for the gateway's 10 s, keepalive every
// 400 ms); bench/smpp/gateway-idle.ts runs the same for 5 real minutes.

import { afterEach, describe, expect, it } from 'vitest';
import { LINK_PROFILES } from '../../src/lib/domain/smsc-link.js';
import type { Delivery } from '../src/pipeline/store.js';
import { CUSTOMER, OUR_NUMBER, startHarness, type Harness } from './bridge-harness.js';
import { until } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

// the gateway profile with its timings scaled down 12.5×: quiet-drop 1 s ↔ the device's 10 s (keepalive 5 s → 400 ms)
const GATEWAY = {
  ...LINK_PROFILES.gsm_gateway,
  kind: 'gsm_gateway' as const,
  enquire_link_s: 0.4,
  enquire_link_timeout_s: 0.4,
  inactivity_s: 2.4,
  reconnect_min_s: 0.16,
  reconnect_max_s: 2.4,
};

// what the carrier profile does at the same scale: keepalive every 30 s → 2.4 s, longer than the quiet-drop
const CARRIER = {
  ...LINK_PROFILES.carrier,
  kind: 'carrier' as const,
  enquire_link_s: 2.4,
  enquire_link_timeout_s: 0.8,
  inactivity_s: 7.2,
  reconnect_min_s: 0.08,
  reconnect_max_s: 4.8,
};

async function enquireLinks(n: number, timeoutMs: number): Promise<void> {
  for (let i = 0; i < n; i++) await h!.sim.waitFor('enquire_link', () => true, timeoutMs);
}

describe('keepalive', () => {
  it('with the gateway profile an idle link stays bound under a 1 s quiet-drop rule: zero rebinds', async () => {
    h = await startHarness({ link: GATEWAY, before: ({ sim }) => sim.dropWhenQuiet(1000) });
    // ten keepalives: four seconds of idle link, four times the quiet-drop
    await enquireLinks(10, 1000);
    expect(h.sim.quietDrops).toBe(0);
    expect(h.sim.binds).toHaveLength(1);
    expect(h.bridge.link('L1')!.reconnects).toBe(0);
    expect(h.bridge.link('L1')!.state).toBe('bound');
  });

  it('with the carrier profile the same gateway drops the link, and each drop is one rebind, never a storm', async () => {
    h = await startHarness({ link: CARRIER, before: ({ sim }) => sim.dropWhenQuiet(1000) });
    for (let i = 0; i < 3; i++) await h.sim.waitFor('quiet-drop', () => true, 3000);
    h.sim.dropWhenQuiet(0);
    const link = h.bridge.link('L1')!;
    await until(() => link.reconnects === h!.sim.quietDrops && link.state === 'bound', 6000, 'the last rebind');
    // one bind at the start and one after each drop
    expect(h.sim.binds).toHaveLength(h.sim.quietDrops + 1);
  });

  it('a changed keepalive applies to the bound session at once, without a rebind', async () => {
    h = await startHarness({ link: { ...GATEWAY, enquire_link_s: 60 } });
    const session = h.sim.boundSessions()[0];
    h.store.addLink({ id: 'L1', name: 'sim', host: '127.0.0.1', port: h.sim.port, ...GATEWAY, enquire_link_s: 0.2 });
    await h.bridge.whenLinksSettled();
    // a 60 s keepalive would send none of these
    await enquireLinks(3, 1000);
    expect(h.sim.binds).toHaveLength(1);
    expect(h.sim.boundSessions()).toEqual([session]);
    expect(h.bridge.link('L1')!.timings.enquireLinkMs).toBe(200);
  });
});

describe('health', () => {
  it('writes bound since, the enquire_link round trip and, after a drop, the reconnects of the last hour and why', async () => {
    h = await startHarness({ link: GATEWAY, bridge: { healthMs: 50 } });
    await enquireLinks(1, 1000);
    await until(() => (h!.store.links.get('L1')!.enquire_rtt_ms ?? -1) >= 0, 2000, 'the round trip');
    const row = h.store.links.get('L1')!;
    expect(row.bound_since).not.toBe('');
    expect(row.reconnects_1h).toBe(0);
    h.sim.dropAll();
    await until(() => h!.store.links.get('L1')!.reconnects_1h === 1, 3000, 'one reconnect written');
    await h.bridge.link('L1')!.waitForState('bound', 3000);
    expect(h.store.links.get('L1')!.last_drop).toMatch(/^Connection lost: /);
    expect(h.bridge.health().links[0]).toMatchObject({ reconnects_1h: 1 });
  });
});

describe('modem-speed sending', () => {
  it('200 texts to a rate-limited window-1 link go in order, exactly one submit each, without retries', async () => {
    // 6 per minute scaled 1000×: 100 per second
    h = await startHarness({ link: { ...GATEWAY, max_per_second: 100, window: 1 } });
    h.sim.onSubmit = () => ({ id: String(1_000_000 + h!.sim.submits.length), receipt: false });
    const ds: Delivery[] = [];
    for (let i = 0; i < 200; i++) ds.push(h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: `text ${i}` }));
    const last = await h.store.waitForDelivery(ds[199].id, (d) => d.status === 'sent', 10_000);
    expect(last.attempts).toBe(1);
    await until(() => ds.every((d) => h!.store.deliveries.get(d.id)!.status === 'sent'), 3000, 'all sent');
    expect(h.sim.submits.map((s) => s.short_message.toString())).toEqual(ds.map((_, i) => `text ${i}`));
    expect(ds.every((d) => h!.store.deliveries.get(d.id)!.attempts === 1)).toBe(true);
  });
});

describe('receipts that may never come', () => {
  it('a link without receipts asks for none, and `sent` is final: report not_expected', async () => {
    h = await startHarness({ link: { ...GATEWAY, receipts: 'none' } });
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'no receipt please' });
    const sent = await h.store.waitForDelivery(d.id, (x) => x.status === 'sent');
    expect(sent.report).toBe('not_expected');
    expect(h.sim.submits[0].registered_delivery).toBe(0);
  });

  it('a link expecting receipts marks a text whose receipt does not come in time: report missing', async () => {
    h = await startHarness({ link: { ...GATEWAY, receipts: 'expected', receipt_timeout_s: 0.2 }, bridge: { reportCheckMs: 50 } });
    h.sim.onSubmit = () => ({ receipt: false });
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'where is my receipt' });
    const sent = await h.store.waitForDelivery(d.id, (x) => x.status === 'sent');
    expect(sent.report).toBe('awaited');
    expect(h.sim.submits[0].registered_delivery).toBe(1);
    const missing = await h.store.waitForDelivery(d.id, (x) => x.report === 'missing', 3000);
    expect(missing.status).toBe('sent');
  });

  it('a receipt that comes after the text was marked missing still makes it delivered', async () => {
    h = await startHarness({ link: { ...GATEWAY, receipts: 'expected', receipt_timeout_s: 0.1 }, bridge: { reportCheckMs: 30 } });
    h.sim.onSubmit = () => ({ id: '4711', receipt: false });
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'late receipt' });
    await h.store.waitForDelivery(d.id, (x) => x.report === 'missing', 3000);
    await h.sim.sendReceipt('4711', {}, h.sim.submits[0]);
    await h.store.waitForDelivery(d.id, (x) => x.status === 'delivered', 3000);
  });
});

// a deliver_sm from +15557654321 to +15551230001 as a gateway writes it, byte for byte
function deliverSm(seq: number, dataCoding: number, shortMessageHex: string, tlvHex = '', esmClass = 0): Buffer {
  const sm = Buffer.from(shortMessageHex.replace(/\s/g, ''), 'hex');
  const body = Buffer.concat([
    Buffer.from('00', 'hex'), // service_type ""
    Buffer.from('0101', 'hex'),
    Buffer.from('15557654321\0', 'latin1'),
    Buffer.from('0101', 'hex'),
    Buffer.from('15551230001\0', 'latin1'),
    Buffer.from([esmClass, 0x00, 0x00]), // esm_class, protocol_id, priority_flag
    Buffer.from('0000', 'hex'), // schedule_delivery_time "", validity_period ""
    Buffer.from([0x00, 0x00, dataCoding, 0x00, sm.length]), // registered_delivery, replace_if_present, data_coding, sm_default_msg_id, sm_length
    sm,
    Buffer.from(tlvHex.replace(/\s/g, ''), 'hex'),
  ]);
  const header = Buffer.alloc(16);
  header.writeUInt32BE(16 + body.length, 0);
  header.writeUInt32BE(0x00000005, 4);
  header.writeUInt32BE(0, 8);
  header.writeUInt32BE(seq, 12);
  return Buffer.concat([header, body]);
}

describe('inbound quirks of gateways, from exact bytes', () => {
  it('a plain text sent as UCS-2 (data_coding 0x08) reads as the plain text', async () => {
    h = await startHarness({ link: GATEWAY });
    h.sim.sendRaw(deliverSm(7, 0x08, '0048 0065 006c 006c 006f 0020 0021'));
    const [text] = await h.store.waitForInbound(1);
    expect(text).toMatchObject({ from: CUSTOMER, to: OUR_NUMBER, body: 'Hello !' });
  });

  it('a text in message_payload (TLV 0x0424) with sm_length 0 is read from the TLV', async () => {
    h = await startHarness({ link: GATEWAY });
    // UCS-2 "Grüße 😀": the emoji as a surrogate pair
    h.sim.sendRaw(deliverSm(8, 0x08, '', '0424 0010 0047 0072 00fc 00df 0065 0020 d83d de00'));
    const [text] = await h.store.waitForInbound(1);
    expect(text.body).toBe('Grüße 😀');
  });

  it('a receipt whose receipted_message_id (TLV 0x001E) has no NUL terminator finds its delivery', async () => {
    h = await startHarness({ link: { ...GATEWAY, receipts: 'expected' } });
    h.sim.onSubmit = () => ({ id: '4711', receipt: false });
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'receipt without NUL' });
    await h.store.waitForDelivery(d.id, (x) => x.status === 'sent');
    // esm_class 0x04 (receipt); receipted_message_id "4711" in 4 octets, message_state 2 (DELIVERED)
    h.sim.sendRaw(deliverSm(9, 0x00, '', '001e 0004 34373131 0427 0001 02', 0x04));
    const final = await h.store.waitForDelivery(d.id, (x) => x.status === 'delivered');
    expect(final.smsc_ids).toEqual(['4711']);
  });
});
