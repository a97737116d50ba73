import { describe, expect, it } from 'vitest';
import { decodeUcs2, encodeUcs2 } from './ucs2.js';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).toUpperCase().padStart(2, '0')).join(' ');

describe('encodeUcs2', () => {
  it.each([
    ['😀', 'D8 3D DE 00'],
    ['Aé€', '00 41 00 E9 20 AC'],
    ['我', '62 11'],
    ['', ''],
  ])('%j encodes to %s (UTF-16BE, surrogate pairs intact)', (text, expected) => {
    expect(hex(encodeUcs2(text))).toBe(expected);
  });

  it('keeps a lone surrogate as-is rather than replacing it', () => {
    expect(hex(encodeUcs2('\ud83d'))).toBe('D8 3D');
  });
});

describe('decodeUcs2', () => {
  it('round-trips text with emoji', () => {
    const text = 'Grüße 😀 我 €';
    expect(decodeUcs2(encodeUcs2(text))).toBe(text);
  });

  it('ignores an odd trailing octet and keeps the rest', () => {
    expect(decodeUcs2(Uint8Array.of(0x00, 0x48, 0x00, 0x69, 0x00))).toBe('Hi');
    expect(decodeUcs2(Uint8Array.of(0x41))).toBe('');
  });
});
