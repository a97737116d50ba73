// Texts in, through the bridge, from the simulator: decoding, joining long
// texts, resends and duplicates, and the answers the SMSC gets.

import { afterEach, describe, expect, it } from 'vitest';
import { encodeGsm7 } from '../../src/lib/domain/gsm7.js';
import { encodeUcs2 } from '../src/codec/ucs2.js';
import { MISSING_PART } from '../src/pipeline/inbound.js';
import { CUSTOMER, OUR_NUMBER, startHarness, type Harness } from './bridge-harness.js';
import { until } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const FROM = CUSTOMER.slice(1);
const TO = OUR_NUMBER.slice(1);

function mo(short_message: Buffer, over: Record<string, unknown> = {}) {
  return { source_addr: FROM, destination_addr: TO, short_message, ...over };
}

function udh8(ref: number, total: number, seq: number): Buffer {
  return Buffer.from([0x05, 0x00, 0x03, ref, total, seq]);
}

function udh16(ref: number, total: number, seq: number): Buffer {
  return Buffer.from([0x06, 0x08, 0x04, ref >> 8, ref & 0xff, total, seq]);
}

describe('single texts', () => {
  it.each([
    ['GSM 7-bit with extension characters', Buffer.from(encodeGsm7('Hi {there} €3 @home_')), 0x00, 'Hi {there} €3 @home_'],
    ['UCS-2 with an emoji', Buffer.from(encodeUcs2('Привет 😀')), 0x08, 'Привет 😀'],
    ['Latin-1', Buffer.from('Grüße', 'latin1'), 0x03, 'Grüße'],
    ['IA5', Buffer.from('plain ascii'), 0x01, 'plain ascii'],
    ['a class 0 (flash) GSM text, DCS 0xF0', Buffer.from(encodeGsm7('flash!')), 0xf0, 'flash!'],
  ])('%s is decoded from the raw octets and stored before the deliver_sm is answered', async (_name, bytes, dcs, text) => {
    h = await startHarness();
    const resp = await h.sim.deliver(mo(bytes, { data_coding: dcs }));
    expect(resp.command_status).toBe(0);
    // answered only after the store: the text is already there
    expect(h.store.inbound).toHaveLength(1);
    expect(h.store.inbound[0]).toMatchObject({ link: 'L1', from: CUSTOMER, to: OUR_NUMBER, body: text, incomplete: false });
    expect(h.store.inbound[0].dedupe_key.startsWith('L1:')).toBe(true);
  });

  it('a text in message_payload (data_coding 8) is read from there', async () => {
    h = await startHarness();
    const resp = await h.sim.deliver(mo(Buffer.alloc(0), { data_coding: 8, message_payload: Buffer.from(encodeUcs2('from the payload')) }));
    expect(resp.command_status).toBe(0);
    expect(h.store.inbound[0].body).toBe('from the payload');
  });

  it('a data_sm with message_payload is a text too, answered with data_sm_resp', async () => {
    h = await startHarness();
    const resp = await h.sim.request('data_sm', {
      source_addr_ton: 1, source_addr_npi: 1, source_addr: FROM, dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: TO,
      data_coding: 0, message_payload: Buffer.from(encodeGsm7('via data_sm')),
    });
    expect(resp.command).toBe('data_sm_resp');
    expect(resp.command_status).toBe(0);
    expect(h.store.inbound[0]).toMatchObject({ body: 'via data_sm', from: CUSTOMER });
  });

  it('a link whose SMSC means Latin-1 by data_coding 0 is read that way', async () => {
    h = await startHarness({ link: { default_alphabet: 'LATIN1' } });
    await h.sim.deliver(mo(Buffer.from('café', 'latin1')));
    expect(h.store.inbound[0].body).toBe('café');
  });

  it('answers ESME_RX_T_APPN while PocketBase is unreachable, and stores the resend once', async () => {
    h = await startHarness();
    h.store.failInbound = 'temporary';
    expect((await h.sim.deliver(mo(Buffer.from('retry me')))).command_status).toBe(0x64);
    expect(h.store.inbound).toHaveLength(0);
    h.store.failInbound = null;
    expect((await h.sim.deliver(mo(Buffer.from('retry me')))).command_status).toBe(0);
    expect(h.store.inbound.map((t) => t.body)).toEqual(['retry me']);
  });

  it('answers ESME_RX_P_APPN when PocketBase refuses the text', async () => {
    h = await startHarness();
    h.store.failInbound = 'permanent';
    expect((await h.sim.deliver(mo(Buffer.from('bad')))).command_status).toBe(0x65);
  });

  it('a resend on a new session after a lost answer is a duplicate: stored once', async () => {
    h = await startHarness();
    await h.sim.deliver(mo(Buffer.from('once')));
    // the answer got lost with the connection; the SMSC sends the text again after the rebind
    h.sim.dropAll();
    await h.bridge.link('L1')!.waitForState('down', 1000);
    await h.bridge.link('L1')!.waitForState('bound', 2000);
    expect((await h.sim.deliver(mo(Buffer.from('once')))).command_status).toBe(0);
    expect(h.store.inbound).toHaveLength(1);
    expect(h.store.calls.storeInbound).toBe(2);
  });

  it('the same words sent twice by a person on a live session are two texts', async () => {
    h = await startHarness();
    await h.sim.deliver(mo(Buffer.from('yes')));
    await h.sim.deliver(mo(Buffer.from('yes')));
    expect(h.store.inbound.map((t) => t.body)).toEqual(['yes', 'yes']);
    expect(h.store.inbound[0].dedupe_key).not.toBe(h.store.inbound[1].dedupe_key);
  });
});

describe('long texts', () => {
  it('joins 8-bit UDH parts that arrive out of order; the completing part is answered after the store', async () => {
    h = await startHarness();
    const a = Buffer.concat([udh8(7, 3, 1), Buffer.from(encodeGsm7('Hello '))]);
    const b = Buffer.concat([udh8(7, 3, 2), Buffer.from(encodeGsm7('long '))]);
    const c = Buffer.concat([udh8(7, 3, 3), Buffer.from(encodeGsm7('world'))]);
    expect((await h.sim.deliver(mo(c, { esm_class: 0x40 }))).command_status).toBe(0);
    expect((await h.sim.deliver(mo(a, { esm_class: 0x40 }))).command_status).toBe(0);
    expect(h.store.inbound).toHaveLength(0);
    expect((await h.sim.deliver(mo(b, { esm_class: 0x40 }))).command_status).toBe(0);
    expect(h.store.inbound).toHaveLength(1);
    expect(h.store.inbound[0]).toMatchObject({ body: 'Hello long world', incomplete: false });
  });

  it('joins 16-bit UDH parts in UCS-2, with UDHI among other esm_class bits (0x43)', async () => {
    h = await startHarness();
    const p1 = Buffer.concat([udh16(0x1234, 2, 1), Buffer.from(encodeUcs2('Ωμέγα '))]);
    const p2 = Buffer.concat([udh16(0x1234, 2, 2), Buffer.from(encodeUcs2('😀'))]);
    await h.sim.deliver(mo(p1, { esm_class: 0x43, data_coding: 8 }));
    await h.sim.deliver(mo(p2, { esm_class: 0x43, data_coding: 8 }));
    expect(h.store.inbound.map((t) => t.body)).toEqual(['Ωμέγα 😀']);
  });

  it('joins parts numbered by SAR TLVs', async () => {
    h = await startHarness();
    const sar = (seq: number) => ({ sar_msg_ref_num: 300, sar_total_segments: 2, sar_segment_seqnum: seq });
    await h.sim.deliver(mo(Buffer.from('first '), { data_coding: 1, ...sar(1) }));
    await h.sim.deliver(mo(Buffer.from('second'), { data_coding: 1, ...sar(2) }));
    expect(h.store.inbound.map((t) => t.body)).toEqual(['first second']);
  });

  it('keeps texts with the same reference from different senders apart', async () => {
    h = await startHarness();
    await h.sim.deliver(mo(Buffer.concat([udh8(1, 2, 1), Buffer.from('A1 ')]), { esm_class: 0x40 }));
    await h.sim.deliver(mo(Buffer.concat([udh8(1, 2, 1), Buffer.from('B1 ')]), { esm_class: 0x40, source_addr: '15550001111' }));
    await h.sim.deliver(mo(Buffer.concat([udh8(1, 2, 2), Buffer.from('A2')]), { esm_class: 0x40 }));
    await h.sim.deliver(mo(Buffer.concat([udh8(1, 2, 2), Buffer.from('B2')]), { esm_class: 0x40, source_addr: '15550001111' }));
    expect(h.store.inbound.map((t) => `${t.from} ${t.body}`).sort()).toEqual(['+15550001111 B1 B2', `${CUSTOMER} A1 A2`]);
  });

  it('a duplicate part, and a part of a text already stored, are acknowledged and not stored again', async () => {
    h = await startHarness();
    const p1 = mo(Buffer.concat([udh8(9, 2, 1), Buffer.from('dup ')]), { esm_class: 0x40 });
    const p2 = mo(Buffer.concat([udh8(9, 2, 2), Buffer.from('test')]), { esm_class: 0x40 });
    await h.sim.deliver(p1);
    expect((await h.sim.deliver(p1)).command_status).toBe(0);
    await h.sim.deliver(p2);
    expect((await h.sim.deliver(p2)).command_status).toBe(0);
    expect(h.store.inbound.map((t) => t.body)).toEqual(['dup test']);
  });

  it('when the completing part cannot be stored, the SMSC gets ESME_RX_T_APPN and its resend completes the text', async () => {
    h = await startHarness();
    await h.sim.deliver(mo(Buffer.concat([udh8(4, 2, 1), Buffer.from('keep ')]), { esm_class: 0x40 }));
    h.store.failInbound = 'temporary';
    const p2 = mo(Buffer.concat([udh8(4, 2, 2), Buffer.from('going')]), { esm_class: 0x40 });
    expect((await h.sim.deliver(p2)).command_status).toBe(0x64);
    h.store.failInbound = null;
    expect((await h.sim.deliver(p2)).command_status).toBe(0);
    expect(h.store.inbound.map((t) => t.body)).toEqual(['keep going']);
  });

  it('a text whose parts stop coming is stored after the timeout with a marker, flagged incomplete', async () => {
    h = await startHarness();
    await h.sim.deliver(mo(Buffer.concat([udh8(5, 3, 1), Buffer.from('start ')]), { esm_class: 0x40 }));
    await h.sim.deliver(mo(Buffer.concat([udh8(5, 3, 3), Buffer.from(' end')]), { esm_class: 0x40 }));
    const [t] = await h.store.waitForInbound(1, 2000);
    expect(t).toMatchObject({ body: `start ${MISSING_PART} end`, incomplete: true });
  });

  it('an incomplete text waits for PocketBase to come back rather than being dropped', async () => {
    h = await startHarness();
    h.store.failInbound = 'temporary';
    await h.sim.deliver(mo(Buffer.concat([udh8(6, 2, 1), Buffer.from('lonely')]), { esm_class: 0x40 }));
    await new Promise((r) => setTimeout(r, 450));
    expect(h.store.inbound).toHaveLength(0);
    h.store.failInbound = null;
    const [t] = await h.store.waitForInbound(1, 2000);
    expect(t).toMatchObject({ body: `lonely${MISSING_PART}`, incomplete: true });
  });
});

describe('receipts in', () => {
  it('a receipt for an unknown id is acknowledged and kept for its submit_sm_resp', async () => {
    h = await startHarness();
    const resp = await h.sim.sendReceipt('FFFF01');
    expect(resp.command_status).toBe(0);
    expect(h.bridge.receipts.earlyCount).toBeGreaterThan(0);
    expect(h.store.inbound).toHaveLength(0);
  });

  it('a receipt whose write fails is answered once journaled, and stored when PocketBase is back', async () => {
    h = await startHarness();
    h.sim.onSubmit = () => ({ receipt: false });
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'r' });
    const sent = await h.store.waitForDelivery(d.id, (x) => x.status === 'sent');
    h.store.failUpdates = true;
    expect((await h.sim.sendReceipt(sent.smsc_ids[0])).command_status).toBe(0);
    expect(h.bridge.journal.openReceipts()).toHaveLength(1);
    h.store.failUpdates = false;
    expect((await h.store.waitForDelivery(d.id, (x) => x.status === 'delivered')).status).toBe('delivered');
    await until(() => h!.bridge.journal.openCount === 0, 1000, 'the receipt to leave the journal');
  });

  it('a receipt that cannot be journaled is answered ESME_RX_T_APPN so the SMSC sends it again', async () => {
    h = await startHarness();
    h.sim.onSubmit = () => ({ receipt: false });
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'r' });
    const sent = await h.store.waitForDelivery(d.id, (x) => x.status === 'sent');
    const append = h.bridge.journal.append.bind(h.bridge.journal);
    h.bridge.journal.append = (rec) => (rec.t === 'r' ? Promise.reject(new Error('disk full')) : append(rec));
    expect((await h.sim.sendReceipt(sent.smsc_ids[0])).command_status).toBe(0x64);
    h.bridge.journal.append = append;
    expect((await h.sim.sendReceipt(sent.smsc_ids[0])).command_status).toBe(0);
    expect(h.store.deliveries.get(d.id)!.status).toBe('delivered');
  });
});
