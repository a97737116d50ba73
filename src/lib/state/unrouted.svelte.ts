// Texts that reached the appliance for a number it does not have: the
// inbound_log rows without a conversation, kept for the admin rather than
// dropped, and followed live (the collection's rule is admin-only and cheap).
import type { RecordSubscription } from 'pocketbase';
import { pb } from '$lib/api/pb';
import { readError } from '$lib/api/errors';

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

/** UnroutedState holds the unrouted texts, newest first, as `.current`. */
export class UnroutedState {
  current = $state<UnroutedText[]>([]);
  loading = $state(true);
  error = $state('');

  /** start loads the texts and follows new ones; returns the stop function. */
  start(): () => void {
    let stopped = false;
    let unsubscribe: (() => Promise<void>) | null = null;
    pb.collection('inbound_log')
      .subscribe<UnroutedText>('*', (e) => this.#apply(e), { filter: "conversation = ''" })
      .then((fn) => {
        if (stopped) fn().catch(() => {});
        else unsubscribe = fn;
      })
      .catch(() => {});
    void this.load();
    return () => {
      stopped = true;
      unsubscribe?.().catch(() => {});
    };
  }

  /** load fetches the newest 200 unrouted texts. */
  async load(): Promise<void> {
    try {
      const page = await pb
        .collection('inbound_log')
        .getList<UnroutedText>(1, 200, { filter: "conversation = ''", sort: '-received_at' });
      this.current = page.items;
      this.error = '';
    } catch (err) {
      this.error = readError(err).message;
    } finally {
      this.loading = false;
    }
  }

  #apply(e: RecordSubscription<UnroutedText>): void {
    if (e.action !== 'create' || e.record.conversation) return;
    this.current = [e.record, ...this.current.filter((t) => t.id !== e.record.id)];
  }
}
