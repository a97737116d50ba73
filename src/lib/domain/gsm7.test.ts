import { describe, expect, it } from 'vitest';
import {
  decodeGsm7,
  encodeGsm7,
  firstNonGsm7,
  Gsm7EncodeError,
  gsm7Length,
  isGsm7,
  packGsm7,
  unpackGsm7,
} from './gsm7.js';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).toUpperCase().padStart(2, '0')).join(' ');
const bytes = (h: string) => Uint8Array.from(h.split(' ').map((x) => parseInt(x, 16)));

describe('encodeGsm7', () => {
  it.each([
    ['Hello @£$', '48 65 6C 6C 6F 20 00 01 02'],
    ['€', '1B 65'],
    ['{', '1B 28'],
    ['^{}\\[~]|€\f', '1B 14 1B 28 1B 29 1B 2F 1B 3C 1B 3D 1B 3E 1B 40 1B 65 1B 0A'],
    ['ΔΦΓΛΩΠΨΣΘΞ', '10 12 13 14 15 16 17 18 19 1A'],
    ['¡¿§à\n\r', '40 60 5F 7F 0A 0D'],
    ['', ''],
  ])('%j encodes to %s', (text, expected) => {
    expect(hex(encodeGsm7(text))).toBe(expected);
  });

  it('names the first unencodable character and its index, surrogate pair whole', () => {
    let err: unknown;
    try {
      encodeGsm7('ok 😀 ç');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Gsm7EncodeError);
    expect((err as Gsm7EncodeError).char).toBe('😀');
    expect((err as Gsm7EncodeError).index).toBe(3);
    expect((err as Error).message).toContain('U+1F600');
    expect((err as Error).message).toContain('index 3');
  });

  it('does not silently map lookalikes (ç, Greek capital alpha, ESC itself)', () => {
    expect(() => encodeGsm7('ç')).toThrow(Gsm7EncodeError);
    expect(() => encodeGsm7('Α')).toThrow(Gsm7EncodeError);
    expect(() => encodeGsm7('\u001b')).toThrow(Gsm7EncodeError);
  });
});

describe('isGsm7 / gsm7Length / firstNonGsm7', () => {
  it('counts extension characters as two septets', () => {
    expect(gsm7Length('a€b')).toBe(4);
    expect(gsm7Length('[]')).toBe(4);
    expect(gsm7Length('')).toBe(0);
  });

  it('rejects non-GSM text', () => {
    expect(isGsm7('Hello @£$ {€}')).toBe(true);
    expect(isGsm7('tab\there')).toBe(false);
    expect(() => gsm7Length('naïve')).toThrow(/index 2/);
    expect(firstNonGsm7('abc’d')).toEqual({ char: '’', index: 3 });
    expect(firstNonGsm7('abc')).toBeNull();
  });
});

describe('decodeGsm7', () => {
  it('round-trips the whole basic and extension tables', () => {
    const all = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€\f';
    expect(decodeGsm7(encodeGsm7(all))).toBe(all);
  });

  it.each([
    ['unknown escape gives the basic-table character', '1B 41 62', 'Ab'],
    ['lone trailing escape gives a space', '61 1B', 'a '],
    ['escape-escape (reserved) gives a space', '61 1B 1B 62', 'a b'],
    ['high bit set on unpacked data is ignored', 'C8 E9', 'Hi'],
  ])('%s', (_name, input, expected) => {
    expect(decodeGsm7(bytes(input))).toBe(expected);
  });
});

describe('packGsm7 / unpackGsm7', () => {
  it('packs the 23.038 example hellohello to E8 32 9B FD 46 97 D9 EC 37', () => {
    const packed = packGsm7(encodeGsm7('hellohello'));
    expect(hex(packed)).toBe('E8 32 9B FD 46 97 D9 EC 37');
    expect(decodeGsm7(unpackGsm7(packed, 10))).toBe('hellohello');
  });

  it('packs 8 septets into exactly 7 octets', () => {
    expect(packGsm7(encodeGsm7('12345678')).length).toBe(7);
    expect(decodeGsm7(unpackGsm7(packGsm7(encodeGsm7('12345678'))))).toBe('12345678');
  });

  it('leads with fill bits after a 6-octet UDH (1 bit)', () => {
    const packed = packGsm7(encodeGsm7('hellohello'), 1);
    expect(hex(packed)).toBe('D0 65 36 FB 8D 2E B3 D9 6F');
    expect(decodeGsm7(unpackGsm7(packed, 10, 1))).toBe('hellohello');
  });

  it('round-trips every padding with escapes inside', () => {
    const septets = encodeGsm7('Price: 5€ [net] ~ok~');
    for (let pad = 0; pad <= 6; pad++) {
      expect(Array.from(unpackGsm7(packGsm7(septets, pad), septets.length, pad))).toEqual(Array.from(septets));
    }
  });

  it('derives the count from the octets, showing the 7-spare-bit ambiguity as @', () => {
    expect(decodeGsm7(unpackGsm7(packGsm7(encodeGsm7('1234567'))))).toBe('1234567@');
  });

  it('clamps a septet count beyond the data instead of reading past it', () => {
    expect(unpackGsm7(bytes('E8 32'), 50).length).toBe(2);
    expect(unpackGsm7(new Uint8Array(0), 5).length).toBe(0);
  });

  it('rejects out-of-range input', () => {
    expect(() => packGsm7([0x80])).toThrow(RangeError);
    expect(() => packGsm7([1], 7)).toThrow(RangeError);
    expect(() => unpackGsm7([1], 1, -1)).toThrow(RangeError);
  });
});
