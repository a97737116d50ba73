import { describe, expect, it } from 'vitest';
import { checkSendAt, formatInZone, isTimeZone, parseSendAt, TIME_ZONE_SHAPE, wallClock, zonedInstant } from './schedule';

describe('parseSendAt', () => {
  it.each([
    ['2026-12-24T09:00:00+01:00', Date.UTC(2026, 11, 24, 8)],
    ['2026-12-24T08:00:00Z', Date.UTC(2026, 11, 24, 8)],
    ['2026-12-24T08:00Z', Date.UTC(2026, 11, 24, 8)],
    ['2026-12-24T03:30:00.250-0430', Date.UTC(2026, 11, 24, 8, 0, 0, 250)],
    ['2026-12-24 13:45:00+05:45', Date.UTC(2026, 11, 24, 8)]
  ])('reads %s', (text, at) => {
    expect(parseSendAt(text)).toEqual({ ok: true, at });
  });

  it.each([
    ['2026-12-24T09:00:00', /has no time zone/],
    ['tomorrow at nine', /is not an ISO 8601 date and time/],
    ['2026-02-30T09:00:00Z', /is not a real date and time/],
    ['2026-12-24T24:00:00Z', /is not a real date and time/],
    ['2026-12-24T09:00:00+15:00', /impossible zone offset/],
    ['', /is not an ISO 8601/]
  ])('refuses %s with a sentence', (text, why) => {
    const r = parseSendAt(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatch(why);
      expect(r.error).toMatch(/e\.g\. 2026-12-24T09:00:00\+01:00/);
    }
  });
});

describe('checkSendAt', () => {
  const now = Date.UTC(2026, 11, 1, 12);
  it('takes now, a minute ago and a year ahead', () => {
    expect(checkSendAt(now, now)).toBe('');
    expect(checkSendAt(now - 60_000, now)).toBe('');
    expect(checkSendAt(now + 365 * 86400_000, now)).toBe('');
  });
  it('refuses the past beyond a minute and beyond 366 days ahead', () => {
    expect(checkSendAt(now - 61_000, now)).toMatch(/^The send time 2026-12-01T11:58:59.000Z is in the past/);
    expect(checkSendAt(now + 367 * 86400_000, now)).toMatch(/more than a year ahead; texts can be scheduled up to 366 days in advance\.$/);
  });
});

describe('zonedInstant and wallClock', () => {
  it('reads a wall clock in the business zone', () => {
    expect(zonedInstant('2026-12-24', '09:00', 'Europe/Berlin')).toBe(Date.UTC(2026, 11, 24, 8));
    expect(zonedInstant('2026-07-01', '09:00', 'Europe/Berlin')).toBe(Date.UTC(2026, 6, 1, 7));
    expect(zonedInstant('2026-07-01', '09:00', 'America/New_York')).toBe(Date.UTC(2026, 6, 1, 13));
    expect(zonedInstant('2026-07-01', '09:00', 'UTC')).toBe(Date.UTC(2026, 6, 1, 9));
    expect(zonedInstant('2026-07-01', '09:00', 'Asia/Kathmandu')).toBe(Date.UTC(2026, 6, 1, 3, 15));
  });
  it('moves a skipped time past the jump and takes the first of a repeated one', () => {
    // Berlin: 2026-03-29 02:00 → 03:00; 2026-10-25 03:00 → 02:00
    expect(zonedInstant('2026-03-29', '02:30', 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 29, 1, 30));
    expect(wallClock(Date.UTC(2026, 2, 29, 1, 30), 'Europe/Berlin')).toEqual({ date: '2026-03-29', time: '03:30' });
    expect(zonedInstant('2026-10-25', '02:30', 'Europe/Berlin')).toBe(Date.UTC(2026, 9, 25, 0, 30));
  });
  it('refuses what is not a date and time', () => {
    expect(zonedInstant('2026-02-30', '09:00', 'UTC')).toBeNull();
    expect(zonedInstant('2026-02-01', '9am', 'UTC')).toBeNull();
  });
  it('round-trips through the wall clock', () => {
    const at = Date.UTC(2026, 11, 24, 8);
    expect(wallClock(at, 'Europe/Berlin')).toEqual({ date: '2026-12-24', time: '09:00' });
    expect(formatInZone(at, 'Europe/Berlin')).toBe('Thu, 24 Dec 2026, 09:00');
  });
});

describe('time zone names', () => {
  it('knows real zones and refuses others', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });
  it('has a shape the hooks check', () => {
    for (const z of ['UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5', 'EST5EDT']) expect(TIME_ZONE_SHAPE.test(z), z).toBe(true);
    for (const z of ['', 'Europe/', '../etc', 'a b', 'Europe/Berlin; DROP']) expect(TIME_ZONE_SHAPE.test(z), z).toBe(false);
  });
});
