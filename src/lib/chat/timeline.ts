// The messages of one conversation as the view shows them: merging pages,
// realtime events and your own unsent messages into one ordered list, and
// turning that list into rows (day separators, the "new messages" divider,
// system lines, messages grouped by consecutive author).
import type { DeliveryRecord, MessageRecord } from '../api/types';
import { NO_DELIVERIES, type DeliveriesByMessage } from './sms';
import { dayKey, formatClock, formatDay, formatFull, parseTime } from './time';

/** SendStatus marks your own message while it is being sent, or after sending failed. */
export type SendStatus = 'sending' | 'failed';

/** ChatMessage is a stored message, or one of yours the server has not stored yet. */
export interface ChatMessage extends MessageRecord {
  /** set only while the server has not stored the message */
  status?: SendStatus;
  /** why sending failed */
  error?: string;
  /** the files of an unsent message, with how far each upload got (0–1) */
  uploads?: readonly LocalUpload[];
}

/** LocalUpload is one file of a message being sent. */
export interface LocalUpload {
  file: File;
  progress: number;
}

/** LOCAL_PREFIX starts the id of a message shown before the server stored it. */
export const LOCAL_PREFIX = 'local-';

/** GROUP_GAP is how long a pause splits one author's messages into two groups. */
export const GROUP_GAP_MS = 5 * 60_000;

/** compareMessages orders stored messages by created, then id; unsent ones come last, in the order written. */
export function compareMessages(a: ChatMessage, b: ChatMessage): number {
  const unsentA = a.status ? 1 : 0;
  const unsentB = b.status ? 1 : 0;
  if (unsentA !== unsentB) return unsentA - unsentB;
  if (a.created !== b.created) return a.created < b.created ? -1 : 1;
  if (unsentA) return 0;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * mergeMessages adds incoming messages (a page, a realtime event, a send's
 * answer, an unsent message) to a list and returns it in order. A stored
 * message replaces the unsent one with its author and client key; a message
 * already in the list keeps its object, so the view leaves its row alone.
 * Returns the same list when nothing changed.
 */
export function mergeMessages(list: readonly ChatMessage[], incoming: readonly ChatMessage[]): readonly ChatMessage[] {
  if (incoming.length === 0) return list;
  const byId = new Map(list.map((m) => [m.id, m]));
  let changed = false;
  for (const m of incoming) {
    if (!m.status && m.client_key) {
      const localId = LOCAL_PREFIX + m.client_key;
      if (byId.get(localId)?.author === m.author) {
        byId.delete(localId);
        changed = true;
      }
    }
    const old = byId.get(m.id);
    // a stored message changes only when its files are processed or purged (a newer `updated`)
    if (old && !old.status && !m.status && !((m.updated ?? '') > (old.updated ?? ''))) continue;
    if (old === m) continue;
    byId.set(m.id, m);
    changed = true;
  }
  return changed ? [...byId.values()].sort(compareMessages) : list;
}

/** withoutMessage drops one message (a failed send the user discards). */
export function withoutMessage(list: readonly ChatMessage[], id: string): readonly ChatMessage[] {
  return list.some((m) => m.id === id) ? list.filter((m) => m.id !== id) : list;
}

/** newestStored is the newest message the server has stored, if any. */
export function newestStored(list: readonly ChatMessage[]): ChatMessage | undefined {
  for (let i = list.length - 1; i >= 0; i--) if (!list[i].status) return list[i];
  return undefined;
}

/** oldestStored is the oldest stored message, where the next older page starts. */
export function oldestStored(list: readonly ChatMessage[]): ChatMessage | undefined {
  return list.find((m) => !m.status);
}

/** Row is one line of the conversation view. */
export type Row =
  | { type: 'day'; key: string; label: string }
  | { type: 'unread'; key: string }
  | { type: 'system'; key: string; message: ChatMessage; time: string; /** the automatic reply it sent (STOP, START, HELP, greeting) */ deliveries: readonly DeliveryRecord[] }
  | {
      type: 'message';
      key: string;
      message: ChatMessage;
      /** written by you */
      mine: boolean;
      /** starts a group of one author's consecutive messages (shows the author) */
      first: boolean;
      /** display name of the author */
      author: string;
      /** time of day */
      time: string;
      /** date and time, for the tooltip */
      full: string;
      /** receipt under your message: 'Read by Bob and Carol', 'Sent', or '' */
      receipt: string;
      /** the SMS legs of this message (one per phone); the same list object while they do not change */
      deliveries: readonly DeliveryRecord[];
    };

/** RowOptions is what buildRows needs besides the messages. */
export interface RowOptions {
  /** your user id */
  me: string;
  /** the display name of a message's author */
  authorName: (m: ChatMessage) => string;
  /** put the "new messages" divider before the first message by someone else created after this; null for none */
  unreadAfter: string | null;
  /** receipt text per message id (see receiptLines) */
  receipts: ReadonlyMap<string, string>;
  /** SMS deliveries per message id; absent in conversations without phones */
  deliveries?: DeliveriesByMessage;
  now: Date;
  locale?: string;
}

/** rowKey keys a message's row: your unsent bubble and its stored copy share a key, so the row stays in place. */
export function rowKey(m: ChatMessage): string {
  return m.author && m.client_key ? `k:${m.author}:${m.client_key}` : m.id;
}

/**
 * buildRows lays out the messages. Pass the same `cache` map on every call:
 * rows equal to the previous call's are returned as the same objects, so a
 * keyed each block updates only the rows that changed.
 */
export function buildRows(messages: readonly ChatMessage[], options: RowOptions, cache?: Map<string, Row>): Row[] {
  const rows: Row[] = [];
  const reuse = <R extends Row>(row: R): R => {
    const old = cache?.get(row.key);
    return old && shallowEqual(old, row) ? (old as R) : row;
  };
  let day = '';
  let previous: ChatMessage | null = null;
  let previousAt = 0;
  let divided = false;
  for (const m of messages) {
    const date = parseTime(m.created) ?? options.now;
    let split = false;
    const key = dayKey(date);
    if (key !== day) {
      day = key;
      split = true;
      rows.push(reuse({ type: 'day', key: `day:${key}`, label: formatDay(date, options.now, options.locale) }));
    }
    if (!divided && options.unreadAfter !== null && !m.status && m.author !== options.me && m.created > options.unreadAfter) {
      divided = true;
      split = true;
      rows.push(reuse({ type: 'unread', key: 'unread' }));
    }
    const time = formatClock(date, options.locale);
    if (m.kind === 'system') {
      rows.push(reuse({ type: 'system', key: m.id, message: m, time, deliveries: options.deliveries?.get(m.id) ?? NO_DELIVERIES }));
      previous = null;
      continue;
    }
    const first =
      split ||
      previous === null ||
      previous.author !== m.author ||
      previous.author_phone !== m.author_phone ||
      date.getTime() - previousAt > GROUP_GAP_MS;
    rows.push(
      reuse({
        type: 'message',
        key: rowKey(m),
        message: m,
        mine: m.author === options.me,
        first,
        author: options.authorName(m),
        time,
        full: formatFull(date, options.locale),
        receipt: options.receipts.get(m.id) ?? '',
        deliveries: options.deliveries?.get(m.id) ?? NO_DELIVERIES
      })
    );
    previous = m;
    previousAt = date.getTime();
  }
  if (cache) {
    cache.clear();
    for (const row of rows) cache.set(row.key, row);
  }
  return rows;
}

function shallowEqual(a: object, b: object): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => (a as Record<string, unknown>)[k] === (b as Record<string, unknown>)[k]);
}
