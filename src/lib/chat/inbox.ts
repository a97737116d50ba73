// The conversation list and the unread counts, and how each realtime inbox
// event changes them. Pure: the inbox state class (state/inbox.svelte.ts)
// calls applyInboxEvent and carries out the effects it asks for.
import type { ConversationRecord, InboxEvent, MessageRecord } from '../api/types';
import { previewOf } from './compose';
import { previewOfFiles } from '../domain/attachments';
import { clearConversation, clearTypist, noteTyping, type TypingMap } from './typing';

/** UnreadCounts is conversation id → messages by others after your read position (absent = 0). */
export type UnreadCounts = Readonly<Record<string, number>>;

/** InboxData is everything the sidebar shows. */
export interface InboxData {
  /** newest activity first */
  conversations: readonly ConversationRecord[];
  unread: UnreadCounts;
  typing: TypingMap;
}

/** InboxContext is what an event is judged against. */
export interface InboxContext {
  /** your user id */
  me: string;
  /** the conversation you are reading right now (open, tab visible, scrolled to the bottom), or null */
  reading: string | null;
  /** ms since epoch */
  now: number;
}

/** InboxEffect is work applyInboxEvent asks its caller to do. */
export type InboxEffect =
  /** a message from someone else arrived where you are not reading: tone and, in the background, a notification */
  | { type: 'alert'; message: MessageRecord }
  /** a message arrived in a conversation the list does not have yet */
  | { type: 'fetch-conversation'; id: string }
  /** your read position moved elsewhere (another tab) to a place only the server can count from */
  | { type: 'refresh-unread' }
  /** you are no longer in this conversation */
  | { type: 'removed'; id: string };

/** activity is when a conversation last had something happen, for ordering. */
function activity(c: ConversationRecord): string {
  return c.last_message_at || c.created;
}

/** compareConversations orders newest activity first. */
export function compareConversations(a: ConversationRecord, b: ConversationRecord): number {
  const x = activity(a);
  const y = activity(b);
  if (x !== y) return x > y ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** sortConversations returns a sorted copy. */
export function sortConversations(list: readonly ConversationRecord[]): ConversationRecord[] {
  return [...list].sort(compareConversations);
}

/** keepNewest keeps the later of two last-message positions: a list fetched while events arrived may be older than what they said. */
function keepNewest(record: ConversationRecord, known: ConversationRecord | undefined): ConversationRecord {
  if (!known || known.last_message_at <= record.last_message_at) return record;
  return { ...record, last_message_at: known.last_message_at, last_preview: known.last_preview, last_failed: known.last_failed };
}

/** upsertConversation adds or replaces a conversation (a rename, a membership change, one you were added to). */
export function upsertConversation(
  list: readonly ConversationRecord[],
  record: ConversationRecord
): readonly ConversationRecord[] {
  const known = list.find((c) => c.id === record.id);
  const next = keepNewest(record, known);
  return sortConversations([...list.filter((c) => c.id !== record.id), next]);
}

/** mergeFetched replaces the list with a freshly fetched one, keeping newer positions learnt from events meanwhile. */
export function mergeFetched(
  list: readonly ConversationRecord[],
  fetched: readonly ConversationRecord[]
): readonly ConversationRecord[] {
  const known = new Map(list.map((c) => [c.id, c]));
  return sortConversations(
    fetched.map((c) => {
      const old = known.get(c.id);
      const next = keepNewest(c, old);
      // unchanged rows keep their object, so the sidebar leaves them alone
      return old && sameConversation(old, next) ? old : next;
    })
  );
}

function sameConversation(a: ConversationRecord, b: ConversationRecord): boolean {
  return (
    a.title === b.title &&
    a.last_message_at === b.last_message_at &&
    a.last_preview === b.last_preview &&
    !!a.last_failed === !!b.last_failed &&
    a.kind === b.kind &&
    a.members.join() === b.members.join()
  );
}

/** touchConversation moves a conversation up for a new message. Returns null when the list does not have it. */
export function touchConversation(
  list: readonly ConversationRecord[],
  message: MessageRecord
): readonly ConversationRecord[] | null {
  const c = list.find((x) => x.id === message.conversation);
  if (!c) return null;
  if (c.last_message_at >= message.created) return list;
  // a new message is not the failed one: the server clears the mark as it moves the conversation
  const moved = { ...c, last_message_at: message.created, last_preview: previewOf(message.body) || previewOfFiles(message.files ?? []), last_failed: false };
  return sortConversations([...list.filter((x) => x.id !== c.id), moved]);
}

/** totalUnread adds up the counts. */
export function totalUnread(counts: UnreadCounts): number {
  let total = 0;
  for (const n of Object.values(counts)) total += n;
  return total;
}

/** setUnread sets one conversation's count (0 removes it). Returns the same object when unchanged. */
export function setUnread(counts: UnreadCounts, id: string, n: number): UnreadCounts {
  if ((counts[id] ?? 0) === n) return counts;
  const next = { ...counts };
  if (n > 0) next[id] = n;
  else delete next[id];
  return next;
}

/** countsAsUnread says whether a new message raises a count: written by someone else (texts and the system lines they caused), in a conversation you are not reading. */
export function countsAsUnread(message: MessageRecord, ctx: InboxContext): boolean {
  return message.author !== ctx.me && message.conversation !== ctx.reading;
}

/** applyInboxEvent returns the sidebar after one inbox event, and the work that event asks for. */
export function applyInboxEvent(
  data: InboxData,
  event: InboxEvent,
  ctx: InboxContext
): { data: InboxData; effects: InboxEffect[] } {
  const effects: InboxEffect[] = [];
  switch (event.type) {
    case 'message': {
      const m = event.message;
      const touched = touchConversation(data.conversations, m);
      if (touched === null) effects.push({ type: 'fetch-conversation', id: m.conversation });
      let unread = data.unread;
      if (countsAsUnread(m, ctx)) {
        unread = setUnread(unread, m.conversation, (unread[m.conversation] ?? 0) + 1);
        effects.push({ type: 'alert', message: m });
      }
      return {
        data: {
          conversations: touched ?? data.conversations,
          unread,
          typing: m.author ? clearTypist(data.typing, m.conversation, m.author) : data.typing
        },
        effects
      };
    }
    case 'conversation': {
      const c = event.conversation;
      if (!c.members.includes(ctx.me)) return removed(data, c.id);
      return { data: { ...data, conversations: upsertConversation(data.conversations, c) }, effects };
    }
    case 'removed':
      return removed(data, event.conversation);
    case 'participant': {
      const p = event.participant;
      if (p.user !== ctx.me) return { data, effects };
      // you read in another tab (or this one): cleared when it reached the newest message
      const c = data.conversations.find((x) => x.id === p.conversation);
      if (c && p.last_read_at >= c.last_message_at) {
        return { data: { ...data, unread: setUnread(data.unread, c.id, 0) }, effects };
      }
      return { data, effects: (data.unread[p.conversation] ?? 0) > 0 ? [{ type: 'refresh-unread' }] : [] };
    }
    case 'typing':
      if (event.user === ctx.me) return { data, effects };
      if (event.stopped) return { data: { ...data, typing: clearTypist(data.typing, event.conversation, event.user) }, effects };
      return { data: { ...data, typing: noteTyping(data.typing, event.conversation, event.user, event.name, ctx.now) }, effects };
    default:
      return { data, effects };
  }
}

function removed(data: InboxData, id: string): { data: InboxData; effects: InboxEffect[] } {
  return {
    data: {
      conversations: data.conversations.filter((c) => c.id !== id),
      unread: setUnread(data.unread, id, 0),
      typing: clearConversation(data.typing, id)
    },
    effects: [{ type: 'removed', id }]
  };
}
