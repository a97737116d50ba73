import { describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '../api/types';
import { mergeDeliveries } from './sms';
import { buildRows, LOCAL_PREFIX, mergeMessages, newestStored, oldestStored, withoutMessage, type ChatMessage, type Row } from './timeline';

let seq = 0;
/** msg makes a stored message; `at` is a local time 'HH:MM' on 7 March 2025, or a full Date. */
function msg(author: string, at: string | Date, extra: Partial<ChatMessage> = {}): ChatMessage {
  const date = typeof at === 'string' ? new Date(2025, 2, 7, ...(at.split(':').map(Number) as [number, number])) : at;
  seq++;
  return {
    id: extra.id ?? `m${String(seq).padStart(4, '0')}`,
    conversation: 'c1',
    author,
    author_phone: '',
    body: `text ${seq}`,
    kind: 'text',
    client_key: '',
    created: date.toISOString().replace('T', ' '),
    ...extra
  };
}

const options = (over: Partial<Parameters<typeof buildRows>[1]> = {}) => ({
  me: 'alice',
  authorName: (m: ChatMessage) => m.author.toUpperCase(),
  unreadAfter: null,
  receipts: new Map<string, string>(),
  now: new Date(2025, 2, 7, 18),
  locale: 'en-GB',
  ...over
});

const shape = (rows: Row[]) =>
  rows.map((r) =>
    r.type === 'message' ? `${r.first ? '*' : ' '}${r.author}:${r.message.body}` : r.type === 'day' ? `[${r.label}]` : r.type === 'unread' ? '--new--' : `(${r.message.body})`
  );

describe('mergeMessages', () => {
  it('takes a stored message again only when its files changed (a newer updated), never an older copy', () => {
    const processing = msg('alice', '10:00', { updated: '2025-03-07 10:00:00.000Z', files: [] });
    const ready = { ...processing, updated: '2025-03-07 10:00:01.000Z' };
    const list = mergeMessages([], [processing]);
    const after = mergeMessages(list, [ready]);
    expect(after[0]).toBe(ready);
    expect(mergeMessages(after, [{ ...processing }])).toBe(after);
    expect(mergeMessages(after, [{ ...ready }])).toBe(after);
  });

  it('orders by created then id, whatever order pages and events come in', () => {
    const a = msg('bob', '10:00', { id: 'b' });
    const b = msg('bob', '10:00', { id: 'a', created: a.created });
    const c = msg('bob', '10:01');
    const list = mergeMessages(mergeMessages([], [c]), [a, b]);
    expect(list.map((m) => m.id)).toEqual(['a', 'b', c.id]);
  });

  it('keeps the object of a message it already has, and the same list when nothing is new', () => {
    const a = msg('bob', '10:00');
    const list = mergeMessages([], [a]);
    const again = mergeMessages(list, [{ ...a }]);
    expect(again).toBe(list);
    expect(again[0]).toBe(a);
  });

  it('replaces your unsent bubble with the stored message of the same client key, and keeps unsent ones last', () => {
    const stored = msg('alice', '10:05', { client_key: 'k1' });
    const local: ChatMessage = { ...stored, id: LOCAL_PREFIX + 'k1', created: '2099-01-01 00:00:00.000Z', status: 'sending' };
    const later = msg('bob', '10:06');
    let list = mergeMessages([], [local]);
    list = mergeMessages(list, [later]);
    expect(list.map((m) => m.id)).toEqual([later.id, local.id]);
    list = mergeMessages(list, [stored]);
    expect(list.map((m) => m.id)).toEqual([stored.id, later.id]);
    expect(newestStored(list)).toBe(later);
    expect(oldestStored(list)).toBe(stored);
  });

  it('does not let someone else\'s message with the same client key remove your bubble', () => {
    const local: ChatMessage = { ...msg('alice', '10:05', { client_key: 'k2' }), id: LOCAL_PREFIX + 'k2', status: 'sending' };
    const list = mergeMessages(mergeMessages([], [local]), [msg('mallory', '10:06', { client_key: 'k2' })]);
    expect(list.map((m) => m.status)).toEqual([undefined, 'sending']);
  });

  it('drops a discarded message', () => {
    const a = msg('bob', '10:00');
    expect(withoutMessage([a], a.id)).toEqual([]);
    const list = [a];
    expect(withoutMessage(list, 'nope')).toBe(list);
  });
});

describe('buildRows', () => {
  it('groups consecutive messages by author and separates days', () => {
    const rows = buildRows(
      [
        msg('bob', new Date(2025, 2, 6, 23, 58)),
        msg('bob', '00:01'),
        msg('bob', '00:02'),
        msg('alice', '00:03'),
        msg('bob', '00:04'),
        msg('bob', '00:20')
      ],
      options()
    );
    const bodies = shape(rows).map((s) => s.replace(/text \d+/, 't'));
    expect(bodies).toEqual(['[Yesterday]', '*BOB:t', '[Today]', '*BOB:t', ' BOB:t', '*ALICE:t', '*BOB:t', '*BOB:t']);
  });

  it('shows system lines on their own and starts a new group after them', () => {
    const rows = buildRows(
      [msg('bob', '10:00'), msg('bob', '10:01', { kind: 'system', body: 'Bob renamed the group to Ops' }), msg('bob', '10:02')],
      options()
    );
    expect(shape(rows).map((s) => s.replace(/text \d+/, 't'))).toEqual(['[Today]', '*BOB:t', '(Bob renamed the group to Ops)', '*BOB:t']);
  });

  it('puts the new-messages divider before the first unread message by someone else', () => {
    const read = msg('bob', '10:00');
    const mine = msg('alice', '10:01');
    const unread = msg('bob', '10:02');
    const rows = buildRows([read, mine, unread, msg('bob', '10:03')], options({ unreadAfter: read.created }));
    expect(rows.map((r) => r.type)).toEqual(['day', 'message', 'message', 'unread', 'message', 'message']);
  });

  it('marks your messages and carries their receipt line', () => {
    const mine = msg('alice', '10:00');
    const rows = buildRows([mine], options({ receipts: new Map([[mine.id, 'Read by Bob']]) }));
    expect(rows[1]).toMatchObject({ type: 'message', mine: true, receipt: 'Read by Bob', time: '10:00' });
  });

  it('returns the previous objects for rows that did not change, so only changed rows re-render', () => {
    const cache = new Map<string, Row>();
    const a = msg('alice', '10:00');
    const b = msg('bob', '10:01');
    const first = buildRows([a, b], options(), cache);
    const second = buildRows([a, b, msg('bob', '10:02')], options({ receipts: new Map([[a.id, 'Read by Bob']]) }), cache);
    expect(second[0]).toBe(first[0]); // day
    expect(second[1]).not.toBe(first[1]); // receipt changed
    expect(second[2]).toBe(first[2]);
    expect(second).toHaveLength(4);
  });

  it('carries each message its deliveries, and a new row only for the message whose delivery moved', () => {
    const cache = new Map<string, Row>();
    const a = msg('alice', '10:00');
    const b = msg('alice', '10:01');
    const leg = (message: string, status: DeliveryRecord['status'], updated: string): DeliveryRecord => ({
      id: `d-${message}`,
      message,
      to: '+12015550123',
      from: '+12015550100',
      body: 'hello',
      status,
      error: '',
      error_code: '',
      segments: 1,
      encoding: 'GSM-7',
      created: '2025-03-07 10:00:00.000Z',
      updated
    });
    const queued = mergeDeliveries(new Map(), [leg(a.id, 'delivered', '1'), leg(b.id, 'queued', '1')]);
    const first = buildRows([a, b], options({ deliveries: queued }), cache);
    expect(first[1]).toMatchObject({ type: 'message', deliveries: [{ status: 'delivered' }] });
    const sent = mergeDeliveries(queued, [leg(b.id, 'sent', '2')]);
    const second = buildRows([a, b], options({ deliveries: sent }), cache);
    expect(second[1]).toBe(first[1]);
    expect(second[2]).not.toBe(first[2]);
    expect(second[2]).toMatchObject({ deliveries: [{ status: 'sent' }] });
    // without phones, rows share one empty list
    const plain = buildRows([a, b], options());
    expect(plain[1].type === 'message' && plain[1].deliveries).toBe(plain[2].type === 'message' && plain[2].deliveries);
  });

  it('keeps the row key when the unsent bubble becomes the stored message', () => {
    const local: ChatMessage = { ...msg('alice', '10:00', { client_key: 'k9' }), id: LOCAL_PREFIX + 'k9', status: 'sending' };
    const stored = { ...local, id: 'real', status: undefined };
    expect(buildRows([local], options())[1].key).toBe(buildRows([stored], options())[1].key);
  });
});
