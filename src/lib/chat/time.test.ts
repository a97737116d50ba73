import { describe, expect, it } from 'vitest';
import { dayKey, formatDay, formatListTime, parseTime, toServerTime } from './time';

// local dates, so the tests hold in any time zone
const at = (y: number, mo: number, d: number, h = 12, mi = 0) => new Date(y, mo - 1, d, h, mi);

describe('parseTime', () => {
  it('reads PocketBase dates and refuses empty or broken ones', () => {
    expect(parseTime('2025-03-07 10:11:12.345Z')?.toISOString()).toBe('2025-03-07T10:11:12.345Z');
    expect(parseTime('')).toBeNull();
    expect(parseTime('yesterday')).toBeNull();
  });

  it('writes dates that compare as text with stored ones', () => {
    const s = toServerTime(new Date('2025-03-07T10:11:12.345Z'));
    expect(s).toBe('2025-03-07 10:11:12.345Z');
    expect(s > '2025-03-07 10:11:12.344Z').toBe(true);
  });
});

describe('formatDay', () => {
  const now = at(2025, 3, 7, 9);
  it.each([
    ['the same day is Today', at(2025, 3, 7, 0, 1), 'Today'],
    ['the day before is Yesterday', at(2025, 3, 6, 23, 59), 'Yesterday'],
    ['this year without the year', at(2025, 1, 2), 'Thursday 2 January'],
    ['another year with the year', at(2024, 12, 31), 'Tuesday 31 December 2024'],
  ])('%s', (_name, date, want) => {
    expect(formatDay(date, now, 'en-GB').replace(',', '')).toBe(want);
  });
});

describe('formatListTime', () => {
  const now = at(2025, 3, 7, 18);
  it.each([
    ['today: the clock', at(2025, 3, 7, 9, 5), '9:05'],
    ['yesterday', at(2025, 3, 6, 9, 5), 'Yesterday'],
    ['this week: the weekday', at(2025, 3, 3), 'Mon'],
    ['this year: day and month', at(2025, 2, 14), '14 Feb'],
    ['earlier: with the year', at(2023, 2, 14), '14 Feb 2023'],
  ])('%s', (_name, date, want) => {
    expect(formatListTime(date, now, 'en-GB')).toBe(want);
  });

  it('names local days', () => {
    expect(dayKey(at(2025, 3, 7, 23, 59))).toBe('2025-03-07');
  });
});
