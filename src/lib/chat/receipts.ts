// Read receipts: which of your messages each colleague has read up to, from
// their participants.last_read_at, and the line shown under the message.
import type { ParticipantRecord } from '../api/types';
import type { ChatMessage } from './timeline';

/**
 * readersByMessage places every other active internal member at the newest of
 * your stored messages that they have read (created ≤ their last_read_at).
 * Each reader is named once, under the last of your messages they saw, so
 * older messages stay uncluttered. Returns message id → user ids.
 */
export function readersByMessage(
  messages: readonly ChatMessage[],
  participants: readonly ParticipantRecord[],
  me: string
): Map<string, string[]> {
  const own = messages.filter((m) => m.author === me && m.kind === 'text' && !m.status);
  const result = new Map<string, string[]>();
  if (own.length === 0) return result;
  for (const p of participants) {
    if (!p.user || p.user === me || p.left_at || !p.last_read_at) continue;
    let lo = 0;
    let hi = own.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (own[mid].created <= p.last_read_at) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0) continue;
    const id = own[found].id;
    const list = result.get(id);
    if (list) list.push(p.user);
    else result.set(id, [p.user]);
  }
  return result;
}

/** listNames joins names the way the server's system lines do: "A", "A and B", "A, B and C". */
export function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** receiptText is the line under a message: "Read by Bob and Carol"; past four names, "and N others". */
export function receiptText(names: readonly string[]): string {
  if (names.length === 0) return '';
  const sorted = [...names].sort((a, b) => a.localeCompare(b));
  if (sorted.length <= 4) return `Read by ${listNames(sorted)}`;
  return `Read by ${sorted.slice(0, 3).join(', ')} and ${sorted.length - 3} others`;
}

/**
 * receiptLines gives each of your messages its line: the readers placed on
 * it, and "Sent" on your newest stored message while nobody has read it.
 */
export function receiptLines(
  messages: readonly ChatMessage[],
  participants: readonly ParticipantRecord[],
  me: string,
  nameOf: (user: string) => string
): Map<string, string> {
  const lines = new Map<string, string>();
  for (const [id, users] of readersByMessage(messages, participants, me)) lines.set(id, receiptText(users.map(nameOf)));
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.author !== me || m.kind !== 'text' || m.status) continue;
    if (!lines.has(m.id)) lines.set(m.id, 'Sent');
    break;
  }
  return lines;
}
