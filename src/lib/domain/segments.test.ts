import { describe, expect, it } from 'vitest';
import { gsm7Length } from './gsm7.js';
import { describePlan, planSms, splitSms } from './segments.js';

const a = (n: number) => 'a'.repeat(n);
const e = (n: number) => '我'.repeat(n);

describe('planSms', () => {
  it.each([
    // name, text, opts, encoding, segments, units, perSegment, remaining
    ['empty text is 0 segments (composer refuses it)', '', {}, 'GSM-7', 0, 0, 160, 160],
    ['160 GSM chars are one SMS', a(160), {}, 'GSM-7', 1, 160, 160, 0],
    ['161 GSM chars are 153 + 8', a(161), {}, 'GSM-7', 2, 161, 153, 145],
    ['306 GSM chars fill two parts exactly', a(306), {}, 'GSM-7', 2, 306, 153, 0],
    ['16-bit ref leaves 152 per part', a(305), { ref16: true }, 'GSM-7', 3, 305, 152, 151],
    ['80 euro signs are 160 septets, one SMS', '€'.repeat(80), {}, 'GSM-7', 1, 160, 160, 0],
    ['70 UCS-2 units are one SMS', e(70), {}, 'UCS-2', 1, 70, 70, 0],
    ['71 UCS-2 units are 67 + 4', e(71), {}, 'UCS-2', 2, 71, 67, 63],
    ['16-bit ref leaves 66 UCS-2 units per part', e(133), { ref16: true }, 'UCS-2', 3, 133, 66, 65],
    ['an emoji costs two UCS-2 units', '😀', {}, 'UCS-2', 1, 2, 70, 68],
  ] as const)('%s', (_name, text, opts, encoding, segments, units, perSegment, remaining) => {
    expect(planSms(text, opts)).toMatchObject({ encoding, segments, units, perSegment, remaining });
  });

  it('names the first non-GSM character as the reason for UCS-2', () => {
    expect(planSms('Hi 😀 ç').reason).toBe('😀');
    expect(planSms('Hi there').reason).toBeUndefined();
  });

  it('counts a part shortened around an escape pair, as splitSms does', () => {
    // 306 septets would fill two parts exactly, but 152 + '€' would be 154,
    // so the euro opens part two and the last 'a' spills into a third
    const text = a(152) + '€' + a(152);
    expect(planSms(text)).toMatchObject({ segments: 3, units: 306, remaining: 152 });
    expect(splitSms(text).parts).toEqual([a(152), '€' + a(151), 'a']);
  });
});

describe('splitSms', () => {
  it('keeps a single SMS whole and returns no parts for empty text', () => {
    expect(splitSms(a(160))).toEqual({ encoding: 'GSM-7', parts: [a(160)] });
    expect(splitSms('')).toEqual({ encoding: 'GSM-7', parts: [] });
  });

  it('cuts 161 GSM chars into 153 + 8', () => {
    const { parts } = splitSms(a(161));
    expect(parts.map((p) => p.length)).toEqual([153, 8]);
  });

  it('never splits a GSM escape pair: the part holds 152 septets instead', () => {
    const text = a(152) + '€' + a(20);
    const { encoding, parts } = splitSms(text);
    expect(encoding).toBe('GSM-7');
    expect(parts).toEqual([a(152), '€' + a(20)]);
    expect(parts.map(gsm7Length)).toEqual([152, 22]);
  });

  it('lets an escape pair end a part exactly at 153', () => {
    const { parts } = splitSms(a(151) + '€' + a(20));
    expect(parts[0]).toBe(a(151) + '€');
  });

  it('never splits a surrogate pair: the UCS-2 part holds 66 units instead', () => {
    const text = e(66) + '😀' + e(10);
    const { encoding, parts } = splitSms(text);
    expect(encoding).toBe('UCS-2');
    expect(parts).toEqual([e(66), '😀' + e(10)]);
    expect(parts.join('')).toBe(text);
  });

  it('honours 16-bit ref limits', () => {
    expect(splitSms(a(161), { ref16: true }).parts.map((p) => p.length)).toEqual([152, 9]);
    expect(splitSms(e(71), { ref16: true }).parts.map((p) => p.length)).toEqual([66, 5]);
  });

  it('splits a whole text into parts that rejoin to it', () => {
    const text = 'Grüße {from} the team! '.repeat(20);
    const { parts } = splitSms(text);
    expect(parts.join('')).toBe(text);
    expect(parts.every((p) => gsm7Length(p) <= 153)).toBe(true);
  });
});

describe('describePlan', () => {
  it.each([
    ['2 SMS · GSM-7 · 41 left', a(265)],
    ['1 SMS · UCS-2 because of 😀 · 68 left', '😀'],
    ['0 SMS · GSM-7 · 160 left', ''],
    ['1 SMS · UCS-2 because of U+00A0 · 67 left', 'a\u00a0b'],
    ['1 SMS · UCS-2 because of U+200B · 67 left', 'a\u200bb'],
  ])('renders %j', (expected, text) => {
    expect(describePlan(planSms(text))).toBe(expected);
  });
});
