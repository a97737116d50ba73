import { describe, expect, it } from 'vitest';
import {
  isFinalState,
  messageIdKeys,
  messageStateName,
  parseReceipt,
  parseReceiptDate,
  type MessageIdMode,
} from './receipt.js';

const utc = (s: string) => new Date(s + 'Z');

describe('parseReceipt', () => {
  it.each([
    [
      'classic SMPP 3.4 / Kannel style',
      'id:1234567890 sub:001 dlvrd:001 submit date:2401151230 done date:2401151231 stat:DELIVRD err:000 text:Hello world',
      {
        id: '1234567890',
        sub: '001',
        dlvrd: '001',
        submitDate: utc('2024-01-15T12:30:00'),
        doneDate: utc('2024-01-15T12:31:00'),
        stat: 'DELIVRD',
        err: '000',
        text: 'Hello world',
      },
    ],
    [
      'upper-case keys, empty text',
      'ID:ABC123 SUB:001 DLVRD:000 SUBMIT DATE:2401151230 DONE DATE:2401151245 STAT:UNDELIV ERR:001 TEXT:',
      {
        id: 'ABC123',
        sub: '001',
        dlvrd: '000',
        submitDate: utc('2024-01-15T12:30:00'),
        doneDate: utc('2024-01-15T12:45:00'),
        stat: 'UNDELIV',
        err: '001',
        text: '',
      },
    ],
    [
      '12-digit dates with seconds and a hex id',
      'id:5F3A2B1C sub:001 dlvrd:001 submit date:240115123045 done date:240115123112 stat:DELIVRD err:000 Text:Hi',
      {
        id: '5F3A2B1C',
        sub: '001',
        dlvrd: '001',
        submitDate: utc('2024-01-15T12:30:45'),
        doneDate: utc('2024-01-15T12:31:12'),
        stat: 'DELIVRD',
        err: '000',
        text: 'Hi',
      },
    ],
    ['fields missing and out of order', 'stat:EXPIRED id:0001234 err:027', { id: '0001234', stat: 'EXPIRED', err: '027' }],
    [
      'underscore keys, 14-digit dates, lower-case full-word stat',
      'id:77 submit_date:20240115123045 done_date:20240115123112 stat:delivered',
      { id: '77', submitDate: utc('2024-01-15T12:30:45'), doneDate: utc('2024-01-15T12:31:12'), stat: 'DELIVRD' },
    ],
    [
      'text quoting receipt keys does not override the fields',
      'id:9 sub:001 dlvrd:001 submit date:2401151230 done date:2401151231 stat:DELIVRD err:000 text:stat:FAKE id:1',
      { id: '9', stat: 'DELIVRD', text: 'stat:FAKE id:1' },
    ],
    [
      'text first, then the fields',
      'text:see you id:42 stat:ACCEPTD',
      { id: '42', stat: 'ACCEPTD', text: 'see you' },
    ],
    ['unrecognised stat passes through upper-cased', 'id:5 stat:Failed', { id: '5', stat: 'FAILED' }],
  ])('reads %s', (_name, text, expected) => {
    expect(parseReceipt(text)).toMatchObject(expected);
  });

  it('leaves absent fields absent', () => {
    expect(parseReceipt('id:1 stat:DELIVRD')).toEqual({ id: '1', stat: 'DELIVRD' });
  });

  it('keeps a field but drops an unreadable date', () => {
    const r = parseReceipt('id:1 submit date:2402301230 done date:soon stat:DELIVRD');
    expect(r).not.toBeNull();
    expect(r?.submitDate).toBeUndefined();
    expect(r?.doneDate).toBeUndefined();
  });

  it('applies the link clock offset', () => {
    const r = parseReceipt('id:1 done date:2401151230 stat:DELIVRD', { utcOffsetMinutes: 120 });
    expect(r?.doneDate).toEqual(utc('2024-01-15T10:30:00'));
  });

  it.each([
    ['plain text', 'Hello, see you at 5'],
    ['no stat', 'id:123 sub:001'],
    ['no id', 'stat:DELIVRD err:000'],
    ['empty id', 'id: stat:DELIVRD'],
    ['empty', ''],
  ])('returns null for %s', (_name, text) => {
    expect(parseReceipt(text)).toBeNull();
  });
});

describe('parseReceiptDate', () => {
  it.each([
    ['2401151230', utc('2024-01-15T12:30:00')],
    ['240115123045', utc('2024-01-15T12:30:45')],
    ['202401151230', utc('2024-01-15T12:30:00')], // YYYYMMDDhhmm, as some SMSCs send
    ['20240115123045', utc('2024-01-15T12:30:45')],
    ['2413151230', undefined],
    ['24011512', undefined],
    ['24-01-15', undefined],
  ])('%s', (value, expected) => {
    expect(parseReceiptDate(value)).toEqual(expected);
  });
});

describe('messageIdKeys', () => {
  const match = (a: string, b: string, modeA: MessageIdMode = 'auto', modeB: MessageIdMode = 'auto') =>
    messageIdKeys(a, modeA).some((k) => messageIdKeys(b, modeB).includes(k));

  it.each([
    ['hex submit id vs decimal receipt id', '5F3A2B1C', '1597647644'],
    ['lower-case hex vs upper-case hex', '5f3a2b1c', '5F3A2B1C'],
    ['leading zeros dropped', '0001234', '1234'],
    ['zero-padded hex vs decimal', '00005F3A', '24378'],
    ['NUL and spaces around the id', '123\u0000', ' 123'],
    ['64-bit ids beyond Number precision', 'FFFFFFFFFFFFFFFF', '18446744073709551615'],
  ])('matches %s', (_name, a, b) => {
    expect(match(a, b)).toBe(true);
  });

  it('lists the raw, lower-case, stripped and converted forms', () => {
    expect(messageIdKeys('00AB')).toEqual(['00AB', '00ab', 'ab', '171']);
    expect(messageIdKeys('0042')).toEqual(['0042', '42', '66', '2a']);
  });

  it('does not match unrelated ids', () => {
    expect(match('5F3A2B1C', '1597647645')).toBe(false);
    expect(match('abc-1', 'abc-2')).toBe(false);
  });

  it('with per-link modes, matches hex to decimal without the auto-mode collision', () => {
    expect(match('10', '16')).toBe(true); // auto: ambiguous
    expect(match('10', '16', 'hex', 'decimal')).toBe(true); // 0x10 is 16
    expect(match('16', '16', 'hex', 'decimal')).toBe(false); // 0x16 is 22
    expect(match('0016', '16', 'decimal', 'decimal')).toBe(true);
    expect(match('16', '10', 'raw', 'raw')).toBe(false);
  });

  it('falls back to raw forms when the id does not parse in the chosen base', () => {
    expect(messageIdKeys('msg-7', 'hex')).toEqual(['msg-7']);
    expect(messageIdKeys('ABC', 'decimal')).toEqual(['ABC', 'abc']);
  });
});

describe('messageStateName / isFinalState', () => {
  it.each([
    [0, 'SCHEDULED'],
    [1, 'ENROUTE'],
    [2, 'DELIVERED'],
    [3, 'EXPIRED'],
    [4, 'DELETED'],
    [5, 'UNDELIVERABLE'],
    [6, 'ACCEPTED'],
    [7, 'UNKNOWN'],
    [8, 'REJECTED'],
    [9, 'SKIPPED'],
    [10, undefined],
    [-1, undefined],
  ])('message_state %i is %s', (n, name) => {
    expect(messageStateName(n)).toBe(name);
  });

  it.each([
    [1, false],
    [2, true],
    [5, true],
    [6, false],
    [8, true],
    ['ENROUTE', false],
    ['ACCEPTD', false],
    ['buffred', false],
    ['DELIVRD', true],
    ['UNDELIV', true],
    ['REJECTD', true],
    ['EXPIRED', true],
    ['FAILED', true],
  ])('%s is final: %s', (state, final) => {
    expect(isFinalState(state)).toBe(final);
  });
});
