import { describe, expect, it } from 'vitest';
import {
  LINK_PROFILES,
  drainEtaMs,
  formatRate,
  isFlapping,
  linkTimings,
  queuePlaceLabel,
  receiptTimeoutMs,
  receiptsExpected
} from './smsc-link';

describe('link profiles', () => {
  it('a GSM gateway keeps a quiet session alive well inside a 10 s drop, one text at a time, 6 per minute, no receipts', () => {
    const p = LINK_PROFILES.gsm_gateway;
    expect(p.enquire_link_s).toBeLessThan(10);
    expect(p.window).toBeLessThanOrEqual(2);
    expect(p.max_per_second * 60).toBe(6);
    expect(p).toMatchObject({ bind: 'trx', rate_unit: 'minute', receipts: 'none' });
    expect(LINK_PROFILES.carrier).toMatchObject({ enquire_link_s: 30, receipts: 'expected' });
  });

  it("linkTimings takes each setting as set and the kind's default for the rest; explicitOnly leaves the rest out", () => {
    expect(linkTimings({ kind: 'gsm_gateway', enquire_link_s: 0.4, inactivity_s: 0 })).toEqual({
      enquireLinkMs: 400,
      enquireLinkTimeoutMs: 5000,
      inactivityMs: 30_000,
      reconnectMinMs: 2000,
      reconnectMaxMs: 30_000
    });
    expect(linkTimings({ kind: 'carrier', enquire_link_s: 12 }, true)).toEqual({ enquireLinkMs: 12_000 });
    expect(linkTimings({}).enquireLinkMs).toBe(30_000);
  });

  it("receipts default to the kind's: a carrier sends them, a gateway does not, unless set", () => {
    expect(receiptsExpected({ kind: 'carrier', receipts: '' })).toBe(true);
    expect(receiptsExpected({ kind: 'gsm_gateway', receipts: '' })).toBe(false);
    expect(receiptsExpected({ kind: 'gsm_gateway', receipts: 'expected' })).toBe(true);
    expect(receiptsExpected({ kind: 'carrier', receipts: 'none' })).toBe(false);
    expect(receiptTimeoutMs({ kind: 'gsm_gateway', receipt_timeout_s: 0 })).toBe(3_600_000);
    expect(receiptTimeoutMs({ kind: 'carrier', receipt_timeout_s: 90 })).toBe(90_000);
  });

  it('tells the drain time, the rate, the queue place and a flapping link', () => {
    expect(drainEtaMs(37, 0.1)).toBe(370_000);
    expect(drainEtaMs(0, 0.1)).toBe(0);
    expect(drainEtaMs(5, 0)).toBeNull();
    expect(formatRate(0.1, 'minute')).toBe('6 per minute');
    expect(formatRate(0.5, 'second')).toBe('0.5 per second');
    expect(formatRate(0, 'second')).toBe('no limit');
    expect(queuePlaceLabel(37)).toBe('Queued: 37 ahead');
    expect(queuePlaceLabel(0)).toBe('Queued: next');
    expect(isFlapping(5)).toBe(false);
    expect(isFlapping(6)).toBe(true);
  });
});
