// SMS queues in the inbox, the pure parts: which conversations wait in my
// queues (and so stay out of the ordinary list), how long they have waited,
// when one is highlighted, when the alert tone repeats, how a queue event
// changes the sidebar's counts, what the header offers, and the admin's
// timeouts in minutes and hours. No SDK, no runes: state/queues.svelte.ts and
// the components call these.
import type { ConversationRecord, InboxEvent, NumberMode, QueueSummary } from '../api/types';
import { parseTime } from './time';

/** REPEAT_TONE_MS is how often the tone sounds again while something waits unclaimed for a logged-in agent. */
export const REPEAT_TONE_MS = 30_000;

type QueueFields = Pick<ConversationRecord, 'queue' | 'queue_state'>;

/** isWaiting says whether a conversation waits in a queue for an agent to claim it. */
export function isWaiting(c: QueueFields): boolean {
  return !!c.queue && c.queue_state === 'waiting';
}

/** inQueue says whether a conversation belongs to a queue (waiting, claimed or closed). */
export function inQueue(c: QueueFields): boolean {
  return !!c.queue && !!c.queue_state;
}

/** WaitingItem is one waiting conversation as a queue section lists it. */
export interface WaitingItem {
  conversation: ConversationRecord;
  /** when it started waiting (epoch ms); 0 when unknown */
  since: number;
}

/**
 * waitingByQueue groups the waiting conversations you can see by queue,
 * longest waiting first. You see them only while logged in to their queue
 * (the server makes you a member then), so the list is the queue's live
 * waiting list.
 */
export function waitingByQueue(conversations: readonly ConversationRecord[]): Map<string, WaitingItem[]> {
  const byQueue = new Map<string, WaitingItem[]>();
  for (const c of conversations) {
    if (!isWaiting(c)) continue;
    const since = parseTime(c.waiting_since || c.last_message_at || c.created)?.getTime() ?? 0;
    const list = byQueue.get(c.queue!) ?? [];
    list.push({ conversation: c, since });
    byQueue.set(c.queue!, list);
  }
  for (const list of byQueue.values()) list.sort((a, b) => a.since - b.since || (a.conversation.id < b.conversation.id ? -1 : 1));
  return byQueue;
}

/** waitedFor says how long something has waited, as the list shows it: "just now", "42 s", "7 min", "2 h 5 min", "3 d". */
export function waitedFor(since: number, now: number): string {
  const s = Math.max(0, Math.floor((now - since) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  return `${Math.floor(h / 24)} d`;
}

/** overdue says whether a waiting conversation is past its queue's highlight threshold (0: never highlighted). */
export function overdue(since: number, alertAfterS: number, now: number): boolean {
  return alertAfterS > 0 && since > 0 && now - since >= alertAfterS * 1000;
}

/** waitingForMe counts the conversations waiting in the queues you are logged in to. */
export function waitingForMe(queues: readonly QueueSummary[], waiting: ReadonlyMap<string, readonly WaitingItem[]>): number {
  let n = 0;
  for (const q of queues) if (q.logged_in) n += waiting.get(q.id)?.length ?? 0;
  return n;
}

/** toneDue says whether the reminder tone sounds now: something waits for you, and no tone sounded for REPEAT_TONE_MS. */
export function toneDue(waitingForMe: number, lastToneAt: number, now: number): boolean {
  return waitingForMe > 0 && now - lastToneAt >= REPEAT_TONE_MS;
}

/** applyQueueEvent returns your queues after a `queue` inbox event (new counts, who is logged in); the same array when nothing changed. */
export function applyQueueEvent(queues: readonly QueueSummary[], event: InboxEvent, me: string): readonly QueueSummary[] {
  if (event.type !== 'queue') return queues;
  // taken out of the queue, or the queue archived
  if (event.removed) return queues.filter((q) => q.id !== event.queue);
  const i = queues.findIndex((q) => q.id === event.queue);
  if (i < 0) return queues;
  const q = queues[i];
  const next: QueueSummary = {
    ...q,
    waiting: event.waiting,
    agents: event.agents,
    // an admin can log you out by taking you out of the queue; another tab can log you in
    logged_in: event.agents.some((a) => a.id === me)
  };
  return queues.with(i, next);
}

/** transferTargets lists whom you can transfer a conversation of a queue to: its logged-in agents but you, by name. */
export function transferTargets(queue: QueueSummary | undefined, me: string): { id: string; name: string }[] {
  if (!queue) return [];
  return queue.agents.filter((a) => a.id !== me).sort((a, b) => a.name.localeCompare(b.name));
}

/** QueueView is what the conversation header shows for a queue conversation. */
export type QueueView =
  | { state: 'none' }
  | { state: 'waiting' }
  | { state: 'mine' }
  | { state: 'theirs' }
  | { state: 'closed' };

/** queueView says which queue controls the header offers you for a conversation. */
export function queueView(c: Pick<ConversationRecord, 'queue' | 'queue_state' | 'claimed_by'> | null | undefined, me: string): QueueView {
  if (!c || !inQueue(c)) return { state: 'none' };
  if (c.queue_state === 'waiting') return { state: 'waiting' };
  if (c.queue_state === 'closed') return { state: 'closed' };
  return c.claimed_by === me ? { state: 'mine' } : { state: 'theirs' };
}

/** CLAIM_TO_REPLY is why the composer of a waiting conversation is off. */
export const CLAIM_TO_REPLY = 'Claim this conversation to reply.';

/** queueComposerBlock says why you cannot write in a queue conversation now; '' when you can (the owner; the last owner of a closed one reopens it). */
export function queueComposerBlock(c: Pick<ConversationRecord, 'queue' | 'queue_state' | 'claimed_by'> | null | undefined, me: string): string {
  const view = queueView(c, me);
  if (view.state === 'waiting') return CLAIM_TO_REPLY;
  if (view.state === 'theirs') return 'Someone else has this conversation; only they can reply.';
  if (view.state === 'closed' && c!.claimed_by !== me) return 'This conversation is closed.';
  return '';
}

/** DurationUnit is how the admin page shows a timeout. */
export type DurationUnit = 'min' | 'h';

/** splitDuration shows seconds in hours when whole, else in minutes (rounded to a tenth). */
export function splitDuration(seconds: number): { value: number; unit: DurationUnit } {
  if (seconds > 0 && seconds % 3600 === 0) return { value: seconds / 3600, unit: 'h' };
  return { value: Math.round((seconds / 60) * 10) / 10, unit: 'min' };
}

/** joinDuration turns what the admin typed into seconds; an error for anything but zero or a positive number. */
export function joinDuration(typed: string, unit: DurationUnit): { ok: true; seconds: number } | { ok: false; error: string } {
  const text = typed.trim().replace(',', '.');
  if (!text) return { ok: false, error: 'Enter a number; 0 turns it off.' };
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) return { ok: false, error: 'Use 0 (off) or a positive number.' };
  return { ok: true, seconds: Math.round(n * (unit === 'h' ? 3600 : 60)) };
}

/** describeDuration reads a timeout for people: "10 min", "24 h", "1 h 30 min", "never" for 0. */
export function describeDuration(seconds: number): string {
  if (seconds <= 0) return 'never';
  if (seconds < 60) return `${seconds} s`;
  const min = Math.round(seconds / 60);
  if (min < 60 || min % 60 === 0) return min < 60 ? `${min} min` : `${min / 60} h`;
  return `${Math.floor(min / 60)} h ${min % 60} min`;
}

/** NumberRouting is how a number hands out its texts. */
export interface NumberRouting {
  mode: NumberMode | '';
  /** the queue id in queue mode */
  queue: string;
}

/** modeSwitchNote says what happens to a number's existing conversations when an admin switches its mode; '' when nothing changes. */
export function modeSwitchNote(before: NumberRouting | null, after: NumberRouting, queueName: (id: string) => string): string {
  const was = before?.mode === 'queue' ? before.queue : '';
  const is = after.mode === 'queue' ? after.queue : '';
  if (!before) return is ? `Texts to this number will wait in ${queueName(is)} until an agent claims them.` : '';
  if (was === is) return '';
  if (!was) {
    return `New texts will wait in ${queueName(is)}. Existing conversations stay where they are, with their history; each joins the queue when its customer next texts.`;
  }
  if (!is) {
    return `The conversations of ${queueName(was)} on this number become ordinary SMS threads, read by everyone allowed below. Nothing is deleted; each gets a line saying so.`;
  }
  return `Open conversations move from ${queueName(was)} to ${queueName(is)} and wait there; closed ones keep their history.`;
}
