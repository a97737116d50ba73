import { describe, expect, it } from 'vitest';
import type { ParticipantRecord } from '../api/types';
import { listNames, readersByMessage, receiptLines, receiptText } from './receipts';
import type { ChatMessage } from './timeline';

const m = (id: string, author: string, created: string, extra: Partial<ChatMessage> = {}): ChatMessage => ({
  id,
  conversation: 'c',
  author,
  author_phone: '',
  body: id,
  kind: 'text',
  client_key: '',
  created: `2025-03-07 10:00:${created}.000Z`,
  ...extra
});
const p = (user: string, last_read_at: string, extra: Partial<ParticipantRecord> = {}): ParticipantRecord => ({
  id: `p-${user}`,
  conversation: 'c',
  user,
  phone: '',
  last_read_at: last_read_at && `2025-03-07 10:00:${last_read_at}.000Z`,
  left_at: '',
  muted: false,
  opted_out_at: '',
  ...extra
});

const messages = [m('a1', 'alice', '01'), m('b1', 'bob', '02'), m('a2', 'alice', '03'), m('a3', 'alice', '05')];
const names: Record<string, string> = { bob: 'Bob', carol: 'Carol', dave: 'Dave', erin: 'Erin' };

describe('readersByMessage', () => {
  it('names each reader once, under the newest of your messages they have read', () => {
    const readers = readersByMessage(
      messages,
      [p('alice', '05'), p('bob', '04'), p('carol', '05'), p('dave', '01'), p('erin', '00')],
      'alice'
    );
    expect(Object.fromEntries(readers)).toEqual({ a3: ['carol'], a2: ['bob'], a1: ['dave'] });
  });

  it('ignores people who left, external phones, nobody-read-yet and your unsent and system messages', () => {
    const list = [...messages, m('sys', 'alice', '06', { kind: 'system' }), m('local-x', 'alice', '07', { status: 'sending' })];
    const readers = readersByMessage(
      list,
      [p('bob', '09', { left_at: '2025-03-07 11:00:00.000Z' }), p('', '09', { phone: '+15550001' }), p('carol', ''), p('dave', '09')],
      'alice'
    );
    expect(Object.fromEntries(readers)).toEqual({ a3: ['dave'] });
  });
});

describe('receiptText', () => {
  it.each([
    [[], ''],
    [['Bob'], 'Read by Bob'],
    [['Carol', 'Bob'], 'Read by Bob and Carol'],
    [['Dave', 'Bob', 'Carol', 'Erin'], 'Read by Bob, Carol, Dave and Erin'],
    [['F', 'E', 'D', 'C', 'B', 'A'], 'Read by A, B, C and 3 others'],
  ])('%j → %s', (list, want) => {
    expect(receiptText(list)).toBe(want);
  });

  it('joins names like the system lines', () => {
    expect(listNames(['A', 'B', 'C'])).toBe('A, B and C');
  });
});

describe('receiptLines', () => {
  it('says Sent under your newest message until someone reads it', () => {
    const lines = receiptLines(messages, [p('bob', '03')], 'alice', (u) => names[u]);
    expect(Object.fromEntries(lines)).toEqual({ a2: 'Read by Bob', a3: 'Sent' });
    const all = receiptLines(messages, [p('bob', '05'), p('carol', '05')], 'alice', (u) => names[u]);
    expect(Object.fromEntries(all)).toEqual({ a3: 'Read by Bob and Carol' });
  });
});
