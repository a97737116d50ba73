import { describe, expect, it } from 'vitest';
import { buildConcatUdh, parseUdh, splitForSubmit } from './udh.js';
import { decodeShortMessage } from './data-coding.js';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).toUpperCase().padStart(2, '0')).join(' ');
const bytes = (h: string) => (h === '' ? new Uint8Array(0) : Uint8Array.from(h.split(' ').map((x) => parseInt(x, 16))));

describe('buildConcatUdh', () => {
  it('builds the 8-bit reference header 05 00 03 ref total seq', () => {
    expect(hex(buildConcatUdh(0x2a, 3, 1))).toBe('05 00 03 2A 03 01');
  });

  it('builds the 16-bit reference header 06 08 04 refHi refLo total seq', () => {
    expect(hex(buildConcatUdh(0x1234, 2, 2, true))).toBe('06 08 04 12 34 02 02');
  });

  it.each([
    ['ref above 255 without ref16', () => buildConcatUdh(256, 2, 1)],
    ['ref above 65535 with ref16', () => buildConcatUdh(0x10000, 2, 1, true)],
    ['seq 0', () => buildConcatUdh(1, 2, 0)],
    ['seq beyond total', () => buildConcatUdh(1, 2, 3)],
    ['total above 255', () => buildConcatUdh(1, 256, 1)],
  ])('rejects %s', (_name, build) => {
    expect(build).toThrow(RangeError);
  });
});

describe('parseUdh', () => {
  it('reads an 8-bit concatenation header and where the text starts', () => {
    const r = parseUdh(bytes('05 00 03 2A 03 01 48 69'));
    expect(r).toEqual({
      ok: true,
      headerLength: 6,
      concat: { ref: 0x2a, total: 3, seq: 1, ref16: false },
      ies: [{ iei: 0, data: bytes('2A 03 01') }],
    });
  });

  it('reads a 16-bit concatenation header among other elements', () => {
    // port addressing (0x05) first, then 16-bit concat
    const r = parseUdh(bytes('0C 05 04 0B 84 23 F0 08 04 12 34 02 02 AA'));
    expect(r.ok && r.concat).toEqual({ ref: 0x1234, total: 2, seq: 2, ref16: true });
    expect(r.ok && r.ies.map((ie) => ie.iei)).toEqual([0x05, 0x08]);
    expect(r.ok && r.headerLength).toBe(13);
  });

  it('accepts an empty header', () => {
    expect(parseUdh(bytes('00 41'))).toEqual({ ok: true, headerLength: 1, ies: [] });
  });

  it.each([
    ['total 0', '05 00 03 2A 00 01'],
    ['seq 0', '05 00 03 2A 02 00'],
    ['seq beyond total', '05 00 03 2A 02 03'],
    ['wrong element length', '04 00 02 2A 02'],
  ])('ignores a concatenation element with %s, as 23.040 says', (_name, input) => {
    const r = parseUdh(bytes(input));
    expect(r.ok).toBe(true);
    expect(r.ok && r.concat).toBeUndefined();
    expect(r.ok && r.ies.length).toBe(1);
  });

  it.each([
    ['empty input', '', /empty/],
    ['header longer than the message', '05 00 03 2A', /exceeds/],
    ['element running past the header', '03 00 03 2A 02 01', /overruns/],
    ['truncated element header', '03 00 00 00', /truncated/],
    ['garbage length octet', 'FF 00 01 02', /exceeds/],
  ])('returns an error for %s instead of throwing', (_name, input, error) => {
    const r = parseUdh(bytes(input));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(error);
  });

  it('survives random garbage without throwing', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256;
    for (let n = 0; n < 500; n++) {
      const input = Uint8Array.from({ length: rand() % 20 }, rand);
      expect(() => parseUdh(input)).not.toThrow();
    }
  });
});

describe('splitForSubmit', () => {
  it('sends a single GSM part without UDH, data_coding 0', () => {
    expect(splitForSubmit('Hello @£$', { ref: 1 })).toEqual({
      dataCoding: 0,
      parts: [bytes('48 65 6C 6C 6F 20 00 01 02')],
      esmClassUdhi: false,
    });
  });

  it('sends a single emoji text as UCS-2, data_coding 8', () => {
    expect(splitForSubmit('😀', { ref: 1 })).toEqual({ dataCoding: 8, parts: [bytes('D8 3D DE 00')], esmClassUdhi: false });
  });

  it('splits 161 GSM chars into two parts with an 8-bit UDH', () => {
    const { dataCoding, parts, esmClassUdhi } = splitForSubmit('a'.repeat(161), { ref: 0x2a });
    expect(dataCoding).toBe(0);
    expect(esmClassUdhi).toBe(true);
    expect(parts.map((p) => hex(p.subarray(0, 6)))).toEqual(['05 00 03 2A 02 01', '05 00 03 2A 02 02']);
    expect(parts.map((p) => p.length)).toEqual([6 + 153, 6 + 8]);
  });

  it('uses the 16-bit UDH and 66 UCS-2 units per part with ref16', () => {
    const text = '我'.repeat(71);
    const { dataCoding, parts } = splitForSubmit(text, { ref: 0xbeef, ref16: true });
    expect(dataCoding).toBe(8);
    expect(parts.map((p) => hex(p.subarray(0, 7)))).toEqual(['06 08 04 BE EF 02 01', '06 08 04 BE EF 02 02']);
    expect(parts.map((p) => p.length)).toEqual([7 + 132, 7 + 10]);
    const back = parts.map((p) => {
      const udh = parseUdh(p);
      return decodeShortMessage(p, 8, { headerLength: udh.ok ? udh.headerLength : 0 });
    });
    expect(back.join('')).toBe(text);
  });

  it('keeps an escape pair whole across parts', () => {
    const { parts } = splitForSubmit('a'.repeat(152) + '€' + 'bbbbbbbbbb', { ref: 9 });
    expect(parts[0].length).toBe(6 + 152);
    expect(hex(parts[1])).toBe('05 00 03 09 02 02 1B 65' + ' 62'.repeat(10));
  });

  it.each([
    ['empty text', () => splitForSubmit('', { ref: 1 })],
    ['ref out of range', () => splitForSubmit('hi', { ref: 300 })],
    ['more than 255 parts', () => splitForSubmit('a'.repeat(153 * 255 + 1), { ref: 1 })],
  ])('rejects %s', (_name, submit) => {
    expect(submit).toThrow(RangeError);
  });
});
