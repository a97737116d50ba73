// Pure helpers of the admin page for SMS queues: their order, a new queue's
// values, and one line summing up a queue's timeouts.
import type { QueueInput, QueueRecord } from '../api/types';
import { QUEUE_DEFAULTS } from '../domain/queue';
import { describeDuration } from '../chat/queues';

/** sortQueues orders queues by name, archived ones last. */
export function sortQueues<T extends Pick<QueueRecord, 'name' | 'archived'>>(queues: T[]): T[] {
  return queues.sort(
    (a, b) => Number(a.archived) - Number(b.archived) || a.name.localeCompare(b.name, undefined, { sensitivity: 'base' })
  );
}

/** newQueue is what the form starts with for a new queue: no agents, no replies, the default timeouts. */
export function newQueue(): QueueInput {
  return { name: '', members: [], greeting: '', away_reply: '', ...QUEUE_DEFAULTS };
}

/** timeoutsLine sums up a queue's timeouts: "Release after 10 min · Close after 24 h · Highlight after 5 min". */
export function timeoutsLine(q: Pick<QueueRecord, 'release_after_s' | 'close_after_s' | 'waiting_alert_after_s'>): string {
  const part = (label: string, s: number) => (s > 0 ? `${label} after ${describeDuration(s)}` : `${label}: never`);
  return [part('Release', q.release_after_s), part('Close', q.close_after_s), part('Highlight', q.waiting_alert_after_s)].join(' · ');
}
