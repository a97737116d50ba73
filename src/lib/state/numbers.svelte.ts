// The business numbers (DIDs), kept current by realtime events, and the admin
// actions on them. Saving a number also updates who may text from it: each
// affected user's `sms_numbers` and `default_number` (see planNumberUsers).
import { ClientResponseError, type RecordSubscription } from 'pocketbase';
import { pb } from '$lib/api/pb';
import type { NumberInput, NumberRecord } from '$lib/api/types';
import { readError } from '$lib/api/errors';
import { planNumberUsers, sortNumbers } from '$lib/admin/numbers';
import type { UsersState } from './users.svelte';

/** NumberSaved is the outcome of NumbersState.save. */
export interface NumberSaved {
  number: NumberRecord;
  /** one sentence per user whose numbers could not be updated; empty when all were */
  failed: string[];
}

/** NumbersState holds every business number, sorted by label, as `.current`. */
export class NumbersState {
  /** all numbers, sorted by label then number */
  current = $state<NumberRecord[]>([]);
  /** true until the first load has finished */
  loading = $state(true);
  /** why the list could not be loaded; empty when it could */
  error = $state('');

  /** start loads the list and follows realtime changes to it; returns the stop function. */
  start(): () => void {
    let stopped = false;
    let unsubscribe: (() => Promise<void>) | null = null;
    pb.collection('numbers')
      .subscribe<NumberRecord>('*', (e) => this.#apply(e))
      .then((fn) => {
        if (stopped) fn().catch(() => {});
        else unsubscribe = fn;
      })
      // the list still works without live updates
      .catch(() => {});
    void this.load();
    return () => {
      stopped = true;
      unsubscribe?.().catch(() => {});
    };
  }

  /** load fetches every number. */
  async load(): Promise<void> {
    try {
      const list = await pb.collection('numbers').getFullList<NumberRecord>({ batch: 500 });
      this.current = sortNumbers(list);
      this.error = '';
    } catch (err) {
      this.error = readError(err).message;
    } finally {
      this.loading = false;
    }
  }

  /** save creates the number (id null) or updates it, then gives exactly the
   * `allowed` users the right to text from it. A failure to save the number
   * throws the SDK error; failures on users are returned, since the number is
   * saved by then. */
  async save(id: string | null, input: NumberInput, allowed: readonly string[], users: UsersState): Promise<NumberSaved> {
    const { e164, label, sms_enabled, mode, smsc_link } = input;
    const body = { e164, label, sms_enabled, mode, smsc_link };
    let number: NumberRecord;
    try {
      number = id
        ? await pb.collection('numbers').update<NumberRecord>(id, body)
        : await pb.collection('numbers').create<NumberRecord>(body);
    } catch (err) {
      throw sayNumberTaken(err);
    }
    this.#upsert(number);

    const changes = planNumberUsers(users.current, number.id, allowed);
    const results = await Promise.allSettled(changes.map((change) => users.changeNumbers(change)));
    const failed: string[] = [];
    results.forEach((result, i) => {
      if (result.status === 'rejected') {
        const name = users.current.find((u) => u.id === changes[i].user)?.name ?? 'a user';
        failed.push(`${name}: ${readError(result.reason).message}`);
      }
    });
    return { number, failed };
  }

  #apply(e: RecordSubscription<NumberRecord>): void {
    if (e.action === 'delete') {
      this.current = this.current.filter((n) => n.id !== e.record.id);
    } else {
      this.#upsert(e.record);
    }
  }

  #upsert(record: NumberRecord): void {
    const others = this.current.filter((n) => n.id !== record.id);
    this.current = sortNumbers([...others, record]);
  }
}

// the generic "not unique" wording speaks of accounts; a number says it its own way
function sayNumberTaken(err: unknown): unknown {
  if (err instanceof ClientResponseError && err.response?.data?.e164?.code === 'validation_not_unique') {
    err.response.data.e164 = { code: 'number_taken', message: 'This number is already on the list.' };
  }
  return err;
}
