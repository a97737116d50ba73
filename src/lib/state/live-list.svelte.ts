// A collection's records as a sorted list that follows realtime events: the
// base of the admin lists (users, numbers, links, unrouted texts). Collection
// subscriptions are fine here: these rules are cheap and the lists small.
import type { RecordSubscription } from 'pocketbase';
import { pb } from '$lib/api/pb';
import { readError } from '$lib/api/errors';
import { isStale } from '$lib/api/records';

/** LiveListOptions says what a LiveList holds and in which order. */
export interface LiveListOptions<T> {
  /** the collection's name */
  collection: string;
  /** order puts a list in display order (it may sort in place) */
  order: (list: T[]) => T[];
  /** filter limits both the load and the subscription, as a PocketBase filter */
  filter?: string;
  /** limit loads only the first records in `sort` order instead of all */
  limit?: { count: number; sort: string };
}

/** LiveList holds a collection's records as `.current`, kept current by realtime events. */
export class LiveList<T extends { id: string }> {
  /** the records in display order */
  current = $state<T[]>([]);
  /** true until the first load has finished */
  loading = $state(true);
  /** why the list could not be loaded; empty when it could */
  error = $state('');

  readonly #options: LiveListOptions<T>;

  constructor(options: LiveListOptions<T>) {
    this.#options = options;
  }

  /**
   * start follows realtime changes, then loads the list (so nothing that
   * changes while it loads is missed; the newer copy of each record wins);
   * returns the stop function.
   */
  start(): () => void {
    let stopped = false;
    let unsubscribe: (() => Promise<void>) | null = null;
    const { collection, filter } = this.#options;
    pb.collection(collection)
      .subscribe<T>('*', (e) => this.apply(e), filter ? { filter } : undefined)
      .then((fn) => {
        if (stopped) fn().catch(() => {});
        else unsubscribe = fn;
      })
      // the list still works without live updates
      .catch(() => {})
      .finally(() => {
        if (!stopped) void this.load();
      });
    return () => {
      stopped = true;
      unsubscribe?.().catch(() => {});
    };
  }

  /** load fetches the list, keeping any copy an event brought that is newer than the loaded one. */
  async load(): Promise<void> {
    const { collection, filter, limit, order } = this.#options;
    try {
      const records = limit
        ? (await pb.collection(collection).getList<T>(1, limit.count, { filter, sort: limit.sort })).items
        : await pb.collection(collection).getFullList<T>({ batch: 500, filter });
      const held = new Map(this.current.map((r) => [r.id, r]));
      this.current = order(records.map((r) => (isStale(held.get(r.id), r) ? held.get(r.id)! : r)));
      this.error = '';
    } catch (err) {
      this.error = readError(err).message;
    } finally {
      this.loading = false;
    }
  }

  /** apply folds one realtime event into the list. */
  protected apply(e: RecordSubscription<T>): void {
    if (e.action === 'delete') this.drop(e.record.id);
    else this.upsert(e.record);
  }

  /** upsert puts a record in the list, replacing an older copy (never a newer one: answers and events race). */
  protected upsert(record: T): void {
    if (isStale(this.current.find((r) => r.id === record.id), record)) return;
    const others = this.current.filter((r) => r.id !== record.id);
    this.current = this.#options.order([...others, record]);
  }

  /** drop takes a record out of the list. */
  protected drop(id: string): void {
    this.current = this.current.filter((r) => r.id !== id);
  }
}
