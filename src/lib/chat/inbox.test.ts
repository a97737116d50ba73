import { describe, expect, it } from 'vitest';
import type { ConversationRecord, MessageRecord } from '../api/types';
import { applyInboxEvent, mergeFetched, setUnread, totalUnread, upsertConversation, type InboxData } from './inbox';

const conv = (id: string, last: string, extra: Partial<ConversationRecord> = {}): ConversationRecord => ({
  id,
  kind: 'group',
  title: id.toUpperCase(),
  members: ['me', 'bob'],
  last_message_at: last && `2025-03-07 10:00:${last}.000Z`,
  last_preview: '',
  our_number: '',
  sms_key: '',
  created_by: '',
  created: '2025-03-01 00:00:00.000Z',
  updated: '',
  ...extra
});
const message = (conversation: string, author: string, at: string, extra: Partial<MessageRecord> = {}): MessageRecord => ({
  id: `m-${conversation}-${at}`,
  conversation,
  author,
  author_phone: '',
  body: 'Hello\nthere',
  kind: 'text',
  client_key: '',
  created: `2025-03-07 10:00:${at}.000Z`,
  ...extra
});

const start = (): InboxData => ({ conversations: [conv('a', '03'), conv('b', '02'), conv('c', '')], unread: { b: 2 }, typing: {} });
const ctx = { me: 'me', reading: null as string | null, now: 1000 };
const ids = (d: InboxData) => d.conversations.map((c) => c.id);

describe('applyInboxEvent', () => {
  it("a colleague's message moves the conversation up, shows its preview, counts it, alerts and ends their typing", () => {
    let data = applyInboxEvent(start(), { type: 'typing', conversation: 'c', user: 'bob', name: 'Bob' }, ctx).data;
    expect(data.typing.c).toHaveLength(1);
    const m = message('c', 'bob', '09');
    const { data: next, effects } = applyInboxEvent(data, { type: 'message', message: m }, ctx);
    expect(ids(next)).toEqual(['c', 'a', 'b']);
    expect(next.conversations[0]).toMatchObject({ last_message_at: m.created, last_preview: 'Hello there' });
    expect(next.unread).toEqual({ b: 2, c: 1 });
    expect(next.typing).toEqual({});
    expect(effects).toEqual([{ type: 'alert', message: m }]);
  });

  it('a stopped signal ends a typing indicator at once (their send was refused)', () => {
    const typing = applyInboxEvent(start(), { type: 'typing', conversation: 'c', user: 'bob', name: 'Bob' }, ctx).data;
    const { data } = applyInboxEvent(typing, { type: 'typing', conversation: 'c', user: 'bob', name: 'Bob', stopped: true }, ctx);
    expect(data.typing).toEqual({});
  });

  it('your own message (another tab) moves it up without counting or alerting', () => {
    const { data, effects } = applyInboxEvent(start(), { type: 'message', message: message('b', 'me', '09') }, ctx);
    expect(ids(data)).toEqual(['b', 'a', 'c']);
    expect(data.unread).toEqual({ b: 2 });
    expect(effects).toEqual([]);
  });

  it('a message in the conversation you are reading is neither counted nor alerted', () => {
    const { data, effects } = applyInboxEvent(start(), { type: 'message', message: message('a', 'bob', '09') }, { ...ctx, reading: 'a' });
    expect(data.unread).toEqual({ b: 2 });
    expect(effects).toEqual([]);
  });

  it('asks for a conversation it does not know yet', () => {
    const m = message('new', 'bob', '09');
    const { data, effects } = applyInboxEvent(start(), { type: 'message', message: m }, ctx);
    expect(ids(data)).toEqual(['a', 'b', 'c']);
    expect(data.unread.new).toBe(1);
    expect(effects).toContainEqual({ type: 'fetch-conversation', id: 'new' });
  });

  it('an older message does not move the conversation back', () => {
    const data = start();
    const { data: next } = applyInboxEvent(data, { type: 'message', message: message('a', 'me', '01') }, ctx);
    expect(next.conversations).toBe(data.conversations);
  });

  it('a rename replaces the record but keeps a newer position learnt from a message', () => {
    const { data } = applyInboxEvent(start(), { type: 'conversation', conversation: conv('b', '01', { title: 'Ops' }) }, ctx);
    expect(data.conversations.find((c) => c.id === 'b')).toMatchObject({ title: 'Ops', last_message_at: '2025-03-07 10:00:02.000Z' });
  });

  it('a conversation you were added to appears in its place', () => {
    const { data } = applyInboxEvent(start(), { type: 'conversation', conversation: conv('d', '05') }, ctx);
    expect(ids(data)).toEqual(['d', 'a', 'b', 'c']);
  });

  it('removal drops the conversation, its count and its typing, and says so', () => {
    let data = applyInboxEvent(start(), { type: 'typing', conversation: 'b', user: 'bob', name: 'Bob' }, ctx).data;
    const out = applyInboxEvent(data, { type: 'removed', conversation: 'b' }, ctx);
    data = out.data;
    expect(ids(data)).toEqual(['a', 'c']);
    expect(data.unread).toEqual({});
    expect(data.typing).toEqual({});
    expect(out.effects).toEqual([{ type: 'removed', id: 'b' }]);
    // a conversation update without you in it means the same
    expect(ids(applyInboxEvent(start(), { type: 'conversation', conversation: conv('a', '03', { members: ['bob'] }) }, ctx).data)).toEqual(['b', 'c']);
  });

  it('your read position reaching the newest message clears the count; a partial read asks the server', () => {
    const part = (last_read_at: string) => ({
      type: 'participant' as const,
      participant: { id: 'p', conversation: 'b', user: 'me', phone: '', last_read_at, left_at: '', muted: false, opted_out_at: '' }
    });
    expect(applyInboxEvent(start(), part('2025-03-07 10:00:02.000Z'), ctx).data.unread).toEqual({});
    expect(applyInboxEvent(start(), part('2025-03-07 10:00:01.000Z'), ctx).effects).toEqual([{ type: 'refresh-unread' }]);
    // someone else's read position is the conversation view's business
    const other = { ...part('2025-03-07 10:00:02.000Z'), participant: { ...part('').participant, user: 'bob' } };
    const before = start();
    expect(applyInboxEvent(before, other, ctx).data).toBe(before);
  });

  it('marks a conversation whose newest text failed, and a newer message clears the mark (issue 14, item 4)', () => {
    const failed = conv('b', '02', { last_failed: true });
    const marked = applyInboxEvent(start(), { type: 'conversation', conversation: failed }, ctx).data;
    expect(marked.conversations.find((c) => c.id === 'b')?.last_failed).toBe(true);
    // a list fetched before the mark arrived does not take it away; one fetched after does
    expect(mergeFetched(marked.conversations, [conv('b', '02')])[0].last_failed).toBeFalsy();
    const { data } = applyInboxEvent(marked, { type: 'message', message: message('b', 'me', '09') }, ctx);
    expect(data.conversations[0]).toMatchObject({ id: 'b', last_failed: false });
  });

  it('ignores your own typing', () => {
    const before = start();
    expect(applyInboxEvent(before, { type: 'typing', conversation: 'a', user: 'me', name: 'Me' }, ctx).data).toBe(before);
  });
});

describe('list and counts', () => {
  it('a fetched list replaces the old one, keeps unchanged objects and newer positions', () => {
    const old = start().conversations;
    const fresh = [conv('a', '03'), conv('b', '01', { last_preview: 'stale' })];
    const merged = mergeFetched(old, fresh);
    expect(merged.map((c) => c.id)).toEqual(['a', 'b']);
    expect(merged[0]).toBe(old[0]);
    expect(merged[1].last_message_at).toBe('2025-03-07 10:00:02.000Z');
  });

  it('orders conversations without messages by when they were made', () => {
    const list = upsertConversation([conv('x', '', { created: '2025-03-07 09:00:00.000Z' })], conv('y', '', { created: '2025-03-07 11:00:00.000Z' }));
    expect(list.map((c) => c.id)).toEqual(['y', 'x']);
  });

  it('adds up and clears counts', () => {
    expect(totalUnread({ a: 2, b: 3 })).toBe(5);
    const counts = { a: 2 };
    expect(setUnread(counts, 'a', 2)).toBe(counts);
    expect(setUnread(counts, 'a', 0)).toEqual({});
  });
});
