// Every SMS queue, for the admin page, kept current by realtime events, and
// the admin actions on them. Queues are archived, never deleted: their
// conversations keep them.
import { pb } from '$lib/api/pb';
import { LiveList } from './live-list.svelte';
import type { QueueInput, QueueRecord } from '$lib/api/types';
import { sortQueues } from '$lib/admin/queues';

/** QueueAdminState holds every queue, by name with archived ones last, as `.current`. */
export class QueueAdminState extends LiveList<QueueRecord> {
  constructor() {
    super({ collection: 'queues', order: sortQueues });
  }

  /** save creates a queue (id null) or updates one; throws the SDK error. */
  async save(id: string | null, input: QueueInput): Promise<QueueRecord> {
    const { name, members, greeting, away_reply, release_after_s, close_after_s, waiting_alert_after_s } = input;
    const body = { name, members, greeting, away_reply, release_after_s, close_after_s, waiting_alert_after_s };
    const record = id
      ? await pb.collection('queues').update<QueueRecord>(id, body)
      : await pb.collection('queues').create<QueueRecord>(body);
    this.upsert(record);
    return record;
  }

  /** setArchived archives a queue (its agents are logged out, its claims handed back) or brings it back; throws the refusal (a number still uses it). */
  async setArchived(id: string, archived: boolean): Promise<QueueRecord> {
    const record = await pb.collection('queues').update<QueueRecord>(id, { archived });
    this.upsert(record);
    return record;
  }
}
