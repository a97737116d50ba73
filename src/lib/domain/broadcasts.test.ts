import { describe, expect, it } from 'vitest';
import { checkCap, csvEntries, etaMs, pickPhoneColumn, planRecipients, progressOf, recipientLabel, releaseGapMs, releaseSize, splitPasted } from './broadcasts';

describe('reading a list of numbers', () => {
  it('splits pasted text on lines, commas, semicolons and tabs', () => {
    expect(splitPasted('(201) 555-0101\n+1 201 555 0102, 201.555.0103;\t\n\n 2015550104 ')).toEqual(['(201) 555-0101', '+1 201 555 0102', '201.555.0103', '2015550104']);
  });

  it('normalises every form to E.164, reports duplicates and invalid entries, and keeps the order', () => {
    const plan = planRecipients(['(201) 555-0101', '+1 201 555 0101', 'hello', '201.555.0102', '123', '+12015550100'], 'US', ['+12015550100']);
    expect(plan.phones).toEqual(['+12015550101', '+12015550102']);
    expect(plan.duplicates).toBe(1);
    expect(plan.invalid.map((i) => i.value)).toEqual(['hello', '123', '+12015550100']);
    expect(plan.invalid[2].error).toBe('That is the business number itself.');
  });

  it('finds the phone column of a CSV and leaves its header out', () => {
    const rows = [
      ['Name', 'Mobile', 'Notes'],
      ['Ann', '(201) 555-0101', 'vip'],
      ['Bo', '201 555 0102', ''],
      ['Cy', 'none', '2015550103'],
    ];
    expect(pickPhoneColumn(rows, 'US')).toEqual({ column: 1, header: true });
    expect(csvEntries(rows, 'US')).toEqual(['(201) 555-0101', '201 555 0102', 'none']);
    expect(csvEntries([['2015550101'], ['2015550102']], 'US')).toEqual(['2015550101', '2015550102']);
    expect(csvEntries([['a', 'b']], 'US')).toEqual([]);
  });
});

describe('time and pace', () => {
  it.each([
    ['the cap is slower than the link', 600, 1, 60, 100, 600_000],
    ['the link is slower than the cap', 600, 2, 6000, 1, 1_200_000],
    ['no link limit: the cap decides', 120, 3, 60, 0, 120_000],
    ['nobody to text', 0, 1, 60, 1, 0],
  ])('etaMs: %s', (_what, n, segments, cap, link, want) => {
    expect(etaMs(n, segments, cap, link)).toBe(want);
  });

  it('releases about a second of texts at the cap, never past the link low-water mark', () => {
    expect(releaseSize(60, 0)).toBe(1);
    expect(releaseSize(600, 0)).toBe(10);
    expect(releaseSize(60_000, 0)).toBe(10);
    expect(releaseSize(60_000, 15)).toBe(5);
    expect(releaseSize(60_000, 20)).toBe(0);
    expect(releaseSize(60_000, 400)).toBe(0);
  });

  it('waits between releases so that the cap holds', () => {
    expect(releaseGapMs(1, 60)).toBe(1000);
    expect(releaseGapMs(10, 600)).toBe(1000);
    expect(releaseGapMs(20, 3000)).toBe(400);
  });

  it('reads a cap of texts per minute', () => {
    expect(checkCap(undefined)).toEqual({ ok: true, cap: 60 });
    expect(checkCap('120')).toEqual({ ok: true, cap: 120 });
    expect(checkCap(0).ok).toBe(false);
    expect(checkCap(1.5).ok).toBe(false);
    expect(checkCap(60_001).ok).toBe(false);
  });
});

describe('progress and report', () => {
  it('counts every recipient dealt with', () => {
    expect(progressOf({ total: 10, sent: 4, skipped: 1, failed: 0, cancelled: 0 })).toBe(0.5);
    expect(progressOf({ total: 0, sent: 0, skipped: 0, failed: 0, cancelled: 0 })).toBe(1);
  });

  it('follows the delivery once a recipient is handed over', () => {
    expect(recipientLabel('sent', 'delivered')).toBe('Delivered');
    expect(recipientLabel('sent', '')).toBe('Queued');
    expect(recipientLabel('skipped_opted_out', '')).toBe('Skipped: opted out');
    expect(recipientLabel('pending', '')).toBe('Waiting');
  });
});
