// The pipeline's pure parts: addresses, submit status classes, receipt
// reading and id matching forms, dedupe keys, the rate limiter, backoff.

import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../src/session/backoff.js';
import { inboundAddress, submitAddress } from '../src/pipeline/address.js';
import { DedupeMemo } from '../src/pipeline/dedupe.js';
import { decodeText } from '../src/pipeline/inbound.js';
import { concatRef } from '../src/pipeline/outbound.js';
import { RateLimiter } from '../src/pipeline/rate.js';
import { idModes, lookupForms, readReceipt, statReason } from '../src/pipeline/receipts.js';
import { classifyStatus } from '../src/pipeline/submit-outcome.js';
import type { InboundSm } from '../src/transport/pdu.js';
import { messageIdKeys } from '../src/codec/receipt.js';

describe('addresses', () => {
  it.each([
    ['+15551230001', -1, -1, { addr: '15551230001', ton: 1, npi: 1 }],
    ['5551230001', -1, -1, { addr: '5551230001', ton: 0, npi: 1 }],
    ['ACME', -1, -1, { addr: 'ACME', ton: 5, npi: 0 }],
    ['+15551230001', 2, -1, { addr: '15551230001', ton: 2, npi: 1 }],
    ['12345', 3, 0, { addr: '12345', ton: 3, npi: 0 }],
  ])('submitAddress(%s, ton %i, npi %i)', (value, ton, npi, want) => {
    expect(submitAddress(value, ton, npi)).toEqual(want);
  });

  it('inbound international numbers get their +, others go as sent', () => {
    expect(inboundAddress('15557654321', 1)).toBe('+15557654321');
    expect(inboundAddress('5557654321', 2)).toBe('5557654321');
    expect(inboundAddress('ACME', 5)).toBe('ACME');
  });
});

describe('submit_sm_resp status', () => {
  it.each([
    ['0x14', 'retry', /queue is full/],
    ['0x58', 'retry', /throttling/],
    ['0x08', 'retry', /system error/],
    ['0x64', 'retry', /temporary/],
    ['0x01', 'permanent', /length/],
    ['0x0a', 'permanent', /sender number/],
    ['0x0b', 'permanent', /recipient number \(ESME_RINVDSTADR\)/],
    ['0x45', 'permanent', /refused/],
    ['0x48', 'permanent', /sender number format/],
    ['0x51', 'permanent', /recipient number format/],
    ['0x104', 'permanent', /encoding/],
    ['0xc2', 'permanent', /optional parameter/],
    ['0x400', 'permanent', /error 0x00000400/],
  ])('%s is %s', (status, kind, reason) => {
    const o = classifyStatus(Number(status));
    expect(o.kind).toBe(kind);
    if (o.kind !== 'ok') expect(o.reason).toMatch(reason);
  });
});

function sm(over: Partial<InboundSm>): InboundSm {
  return {
    command: 'deliver_sm',
    source_addr: '15557654321',
    source_addr_ton: 1,
    source_addr_npi: 1,
    destination_addr: '15551230001',
    dest_addr_ton: 1,
    dest_addr_npi: 1,
    esm_class: 0x04,
    data_coding: 0,
    short_message: Buffer.alloc(0),
    ...over,
  };
}

describe('receipts', () => {
  it('prefers the TLVs and reads the text for err', () => {
    const r = readReceipt(
      sm({
        receipted_message_id: 'ABC_@1',
        message_state: 5,
        short_message: Buffer.from('id:other sub:001 dlvrd:000 submit date:2401011200 done date:2401011201 stat:DELIVRD err:034 text:', 'latin1'),
      }),
    );
    expect(r).toEqual({ id: 'ABC_@1', stat: 'UNDELIV', err: '034' });
  });

  it('reads the text as Latin-1, so ids with _ and @ survive', () => {
    const r = readReceipt(sm({ short_message: Buffer.from('id:a_b@c sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD err:000', 'latin1') }));
    expect(r?.id).toBe('a_b@c');
    expect(r?.stat).toBe('DELIVRD');
  });

  it('reads a UCS-2 receipt text', () => {
    const text = 'id:77 stat:EXPIRED err:001';
    const bytes = Buffer.alloc(text.length * 2);
    for (let i = 0; i < text.length; i++) bytes.writeUInt16BE(text.charCodeAt(i), i * 2);
    expect(readReceipt(sm({ data_coding: 8, short_message: bytes }))).toEqual({ id: '77', stat: 'EXPIRED', err: '001' });
  });

  it('names the network error code', () => {
    const r = readReceipt(sm({ receipted_message_id: '1', message_state: 5, network_error_code: Buffer.from([3, 0, 1]) }));
    expect(r?.networkError).toBe('GSM 1');
    expect(statReason(r!)).toBe('The carrier reports the message could not be delivered (UNDELIV, network error GSM 1)');
  });

  it('is null without id or stat', () => {
    expect(readReceipt(sm({ short_message: Buffer.from('hello') }))).toBeNull();
  });

  it.each([
    // format, submit id, receipt id
    ['auto', '1A2B', '6699'],
    ['auto', '0001A2B', '1a2b'],
    ['auto', '6699', '1A2B'],
    ['raw', 'abc_1', 'ABC_1'],
    ['hex', '1A2B', '6699'],
    ['decimal', '6699', '1a2b'],
  ] as const)('id_format %s matches submit id %s to receipt id %s, and the store lookup finds it', (format, submitId, receiptId) => {
    const m = idModes(format);
    const submitKeys = new Set(messageIdKeys(submitId, m.submit));
    expect(messageIdKeys(receiptId, m.receipt).some((k) => submitKeys.has(k))).toBe(true);
    expect(lookupForms(receiptId, format).some((f) => submitId.toLowerCase().includes(f))).toBe(true);
  });

  it("id_format 'hex' does not confuse 10 with 16", () => {
    const m = idModes('hex');
    const submitKeys = new Set(messageIdKeys('10', m.submit));
    expect(messageIdKeys('10', m.receipt).some((k) => submitKeys.has(k))).toBe(false);
    expect(messageIdKeys('16', m.receipt).some((k) => submitKeys.has(k))).toBe(true);
  });
});

describe('inbound text decoding', () => {
  const gsm = { default_alphabet: 'GSM7' as const };
  it.each([
    ['GSM 7-bit, SMSC default', Buffer.from([0x48, 0x00, 0x11, 0x1b, 0x65]), 0x00, gsm, 'H@_€'],
    ['Latin-1 default alphabet', Buffer.from([0x48, 0xe9]), 0x00, { default_alphabet: 'LATIN1' as const }, 'Hé'],
    ['IA5', Buffer.from('Hi'), 0x01, gsm, 'Hi'],
    ['Latin-1', Buffer.from([0xe9]), 0x03, gsm, 'é'],
    ['UCS-2 with a surrogate pair', Buffer.from([0xd8, 0x3d, 0xde, 0x00, 0x00, 0x21]), 0x08, gsm, '😀!'],
    ['class 1 GSM (0xF1)', Buffer.from([0x41]), 0xf1, gsm, 'A'],
    ['UCS-2 general group with class (0x18)', Buffer.from([0x04, 0x1f]), 0x18, gsm, 'П'],
    ['Cyrillic ISO-8859-5 (0x06)', Buffer.from([0xbf]), 0x06, gsm, 'П'],
  ])('%s', (_name, bytes, dcs, link, want) => {
    expect(decodeText(bytes, dcs, link)).toBe(want);
  });

  it('binary content becomes a note with the octets, not mojibake', () => {
    expect(decodeText(Buffer.from([0x01, 0xff]), 0x04, gsm)).toBe('[binary message, 2 octets: 01ff]');
  });
});

describe('dedupe keys', () => {
  it('a resend on another session reuses the key; a quick repeat on the same session gets a new one', () => {
    let now = 1_000_000;
    const memo = new DedupeMemo({ now: () => now, windowMs: 600_000, quickAnswerMs: 5000 });
    const k1 = memo.keyFor('h', 1);
    memo.stored('h', k1, 1, 20);
    now += 1000;
    expect(memo.keyFor('h', 2)).toBe(k1);
    const repeat = memo.keyFor('h', 1);
    expect(repeat).not.toBe(k1);
    memo.stored('h', repeat, 1, 20);
    // the resend of the repeat after a reconnect meets the repeat
    expect(memo.keyFor('h', 3)).toBe(repeat);
  });

  it('a slow answer means the SMSC may have given up: the same session resending reuses the key', () => {
    const memo = new DedupeMemo({ quickAnswerMs: 5000 });
    const k1 = memo.keyFor('h', 1);
    memo.stored('h', k1, 1, 8000);
    expect(memo.keyFor('h', 1)).toBe(k1);
  });

  it('without memory the key is the time bucket: stable across a restart within the window', () => {
    let now = 600_000 * 5 + 10;
    const a = new DedupeMemo({ now: () => now, windowMs: 600_000 });
    const b = new DedupeMemo({ now: () => now, windowMs: 600_000 });
    const k = a.keyFor('h', 1);
    now += 60_000;
    expect(b.keyFor('h', 9)).toBe(k);
  });
});

describe('rate limiter', () => {
  it('lets a burst of one second through, then spaces permits at the rate', async () => {
    let now = 0;
    const r = new RateLimiter(4, { now: () => now });
    for (let i = 0; i < 4; i++) await r.take();
    let got = false;
    const p = r.take().then(() => (got = true));
    await new Promise((res) => setTimeout(res, 5));
    expect(got).toBe(false);
    now += 260;
    await p;
    expect(got).toBe(true);
  });

  it('after throttling it pauses at least a second and halves the rate, then adds a tenth of the ceiling per second', async () => {
    let now = 0;
    const r = new RateLimiter(100, { now: () => now });
    r.throttled();
    expect(r.rate).toBe(50);
    expect(r.paused).toBe(true);
    now += 999;
    expect(r.paused).toBe(true);
    // a second throttle answer inside the pause is the same event
    r.throttled();
    expect(r.rate).toBe(50);
    now += 1;
    await r.take();
    const curve: number[] = [];
    for (let i = 0; i < 6; i++) {
      now += 1000;
      await r.take();
      curve.push(r.rate);
    }
    expect(curve).toEqual([60, 70, 80, 90, 100, 100]);
  });

  it('repeated throttling halves once per pause and never goes below a tenth of the ceiling', async () => {
    let now = 0;
    const r = new RateLimiter(200, { now: () => now });
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) {
      r.throttled();
      seen.push(r.rate);
      now += 1600;
    }
    expect(seen).toEqual([100, 50, 25, 20, 20, 20, 20, 20]);
    // the SMSC stops throttling: back to 200 within 20 steps
    for (let i = 0; i < 20; i++) {
      now += 1000;
      await r.take();
    }
    expect(r.rate).toBe(200);
  });

  it('a modem-speed rate of 6 per minute gives one permit, then one every 10 s', async () => {
    let now = 0;
    const r = new RateLimiter(0.1, { now: () => now });
    await r.take();
    let got = 0;
    const p = r.take().then(() => got++);
    await new Promise((res) => setTimeout(res, 5));
    expect(got).toBe(0);
    now += 9_900;
    await new Promise((res) => setTimeout(res, 5));
    expect(got).toBe(0);
    now += 100;
    // the timer was set for the remaining wait; the next take checks the clock again
    r.setRate(0.1);
    await p;
    expect(got).toBe(1);
  });

  it('throttling a modem-speed link halves it in fractions and never raises it to 1/s', async () => {
    let now = 0;
    const r = new RateLimiter(0.1, { now: () => now });
    r.throttled();
    expect(r.rate).toBeCloseTo(0.05);
    now += 1600;
    r.throttled();
    expect(r.rate).toBeCloseTo(0.025);
    // the tenth-of-the-ceiling floor is 0.01/s here, not the 1/s of fast links
    for (let i = 0; i < 4; i++) {
      now += 1600;
      r.throttled();
    }
    expect(r.rate).toBeCloseTo(0.01);
  });

  it('without a limit, throttling sets one from the measured rate', async () => {
    let now = 0;
    const r = new RateLimiter(0, { now: () => now });
    for (let i = 0; i < 40; i++) await r.take();
    now += 1000;
    await r.take();
    r.throttled();
    expect(r.rate).toBe(20);
  });
});

describe('helpers', () => {
  it('concatRef is stable per delivery and fits its field', () => {
    expect(concatRef('abc123', false)).toBe(concatRef('abc123', false));
    expect(concatRef('abc123', false)).toBeLessThan(256);
    expect(concatRef('abc123', true)).toBeLessThan(65536);
    expect(concatRef('abc124', true)).not.toBe(concatRef('abc123', true));
  });

  it('backoff doubles up to the cap with jitter below the nominal delay', () => {
    const p = { baseMs: 100, maxMs: 1000, jitter: 0.5 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, p, () => 0))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelay(3, p, () => 1)).toBe(200);
  });
});
