import { describe, expect, it } from 'vitest';
import { decodeShortMessage, parseDataCoding } from './data-coding.js';
import { encodeGsm7, packGsm7 } from '../../../src/lib/domain/gsm7.js';
import { encodeUcs2 } from './ucs2.js';

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('parseDataCoding', () => {
  const table: [number, object][] = [
    [0x00, { alphabet: 'GSM7', compressed: false, group: 'smpp' }],
    [0x01, { alphabet: 'IA5', compressed: false, group: 'smpp' }],
    [0x02, { alphabet: '8BIT', compressed: false, group: 'smpp' }],
    [0x03, { alphabet: 'LATIN1', compressed: false, group: 'smpp' }],
    [0x04, { alphabet: '8BIT', compressed: false, group: 'smpp' }],
    [0x08, { alphabet: 'UCS2', compressed: false, group: 'smpp' }],
    [0x06, { alphabet: '8BIT', compressed: false, group: 'smpp', charset: 'ISO-8859-5' }],
    [0x0c, { alphabet: 'GSM7', compressed: false, group: 'smpp' }],
    [0x10, { alphabet: 'GSM7', compressed: false, group: 'general', messageClass: 0 }],
    [0x11, { alphabet: 'GSM7', compressed: false, group: 'general', messageClass: 1 }],
    [0x16, { alphabet: '8BIT', compressed: false, group: 'general', messageClass: 2 }],
    [0x19, { alphabet: 'UCS2', compressed: false, group: 'general', messageClass: 1 }],
    [0x1c, { alphabet: 'GSM7', compressed: false, group: 'general', messageClass: 0 }],
    [0x20, { alphabet: 'GSM7', compressed: true, group: 'general' }],
    [0x38, { alphabet: 'UCS2', compressed: true, group: 'general', messageClass: 0 }],
    [0x48, { alphabet: 'UCS2', compressed: false, group: 'auto-delete' }],
    [0x51, { alphabet: 'GSM7', compressed: false, group: 'auto-delete', messageClass: 1 }],
    [0x80, { alphabet: 'GSM7', compressed: false, group: 'reserved' }],
    [0xc8, { alphabet: 'GSM7', compressed: false, group: 'mwi-discard', indication: { active: true, kind: 'voicemail' } }],
    [0xd1, { alphabet: 'GSM7', compressed: false, group: 'mwi-store', indication: { active: false, kind: 'fax' } }],
    [0xea, { alphabet: 'UCS2', compressed: false, group: 'mwi-store', indication: { active: true, kind: 'email' } }],
    [0xf0, { alphabet: 'GSM7', compressed: false, group: 'class', messageClass: 0 }],
    [0xf1, { alphabet: 'GSM7', compressed: false, group: 'class', messageClass: 1 }],
    [0xf4, { alphabet: '8BIT', compressed: false, group: 'class', messageClass: 0 }],
    [0xf6, { alphabet: '8BIT', compressed: false, group: 'class', messageClass: 2 }],
  ];
  it.each(table.map(([dcs, expected]) => [dcs.toString(16).padStart(2, '0'), dcs, expected] as const))(
    '0x%s parses',
    (_label, dcs, expected) => {
      expect(parseDataCoding(dcs)).toEqual(expected);
    },
  );

  it('reads 0x00 as the link default when the SMSC means ASCII or Latin-1', () => {
    expect(parseDataCoding(0x00, { defaultAlphabet: 'IA5' }).alphabet).toBe('IA5');
    expect(parseDataCoding(0x00, { defaultAlphabet: 'LATIN1' }).alphabet).toBe('LATIN1');
    // explicit 23.038 GSM7 values are not "SMSC default"
    expect(parseDataCoding(0xf0, { defaultAlphabet: 'IA5' }).alphabet).toBe('GSM7');
  });

  it('rejects values that are not an octet', () => {
    expect(() => parseDataCoding(256)).toThrow(RangeError);
    expect(() => parseDataCoding(-1)).toThrow(RangeError);
    expect(() => parseDataCoding(1.5)).toThrow(RangeError);
  });
});

describe('decodeShortMessage', () => {
  it.each([
    ['GSM7 unpacked with 0x00', encodeGsm7('Hi @£ €'), 0x00, {}, 'Hi @£ €'],
    ['0x00 as IA5 on an ASCII link keeps _ and @', latin1('id_1@x'), 0x00, { defaultAlphabet: 'IA5' as const }, 'id_1@x'],
    ['Latin-1 by octet value', latin1('Grüße'), 0x03, {}, 'Grüße'],
    ['UCS2 with emoji', encodeUcs2('Hallo 😀'), 0x08, {}, 'Hallo 😀'],
    ['class 1 UCS2 (0x19)', encodeUcs2('我'), 0x19, {}, '我'],
    ['flash GSM7 (0xF0)', encodeGsm7('flash'), 0xf0, {}, 'flash'],
    ['8-bit comes back octet by octet', Uint8Array.of(0x00, 0xff, 0x41), 0xf4, {}, '\u0000\u00ffA'],
    ['packed GSM7', packGsm7(encodeGsm7('hellohello')), 0x00, { packed: true }, 'hellohello'],
  ])('%s', (_name, bytes, dcs, opts, expected) => {
    expect(decodeShortMessage(bytes, dcs, opts)).toBe(expected);
  });

  it('skips the UDH, unpacked and packed (1 fill bit after 6 octets)', () => {
    const udh = Uint8Array.of(0x05, 0x00, 0x03, 0x2a, 0x02, 0x01);
    const join = (a: Uint8Array, b: Uint8Array) => Uint8Array.of(...a, ...b);
    expect(decodeShortMessage(join(udh, encodeGsm7('part one')), 0x00, { headerLength: 6 })).toBe('part one');
    expect(decodeShortMessage(join(udh, encodeUcs2('部分')), 0x08, { headerLength: 6 })).toBe('部分');
    const packed = join(udh, packGsm7(encodeGsm7('hellohello'), 1));
    expect(decodeShortMessage(packed, 0x00, { headerLength: 6, packed: true })).toBe('hellohello');
  });

  it('clamps a header length beyond the message to an empty text', () => {
    expect(decodeShortMessage(Uint8Array.of(0x05, 0x00), 0x00, { headerLength: 6 })).toBe('');
  });
});
