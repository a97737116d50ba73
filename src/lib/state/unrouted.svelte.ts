// Texts that reached the appliance for a number it does not have: the
// inbound_log rows without a conversation, kept for the admin rather than
// dropped, and followed live (the collection's rule is admin-only and cheap).
import type { RecordSubscription } from 'pocketbase';
import { LiveList } from './live-list.svelte';

/** UnroutedText is an inbound_log row that no conversation took. */
export interface UnroutedText {
  id: string;
  from: string;
  to: string;
  body: string;
  incomplete: boolean;
  conversation: string;
  received_at: string;
}

const newestFirst = (list: UnroutedText[]) => list.sort((a, b) => b.received_at.localeCompare(a.received_at));

/** UnroutedState holds the newest 200 unrouted texts, newest first, as `.current`. */
export class UnroutedState extends LiveList<UnroutedText> {
  constructor() {
    super({
      collection: 'inbound_log',
      order: newestFirst,
      filter: "conversation = ''",
      limit: { count: 200, sort: '-received_at' },
    });
  }

  // the log is append-only: only new rows matter
  protected apply(e: RecordSubscription<UnroutedText>): void {
    if (e.action === 'create' && !e.record.conversation) this.upsert(e.record);
  }
}
