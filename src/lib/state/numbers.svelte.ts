// The business numbers (DIDs), kept current by realtime events, and the admin
// actions on them. Saving a number also updates who may text from it: each
// affected user's `sms_numbers` and `default_number` (see planNumberUsers).
import { ClientResponseError } from 'pocketbase';
import { pb } from '$lib/api/pb';
import { LiveList } from './live-list.svelte';
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
export class NumbersState extends LiveList<NumberRecord> {
  constructor() {
    super({ collection: 'numbers', order: sortNumbers });
  }

  /** save creates the number (id null) or updates it, then gives exactly the
   * `allowed` users the right to text from it. A failure to save the number
   * throws the SDK error; failures on users are returned, since the number is
   * saved by then. */
  async save(id: string | null, input: NumberInput, allowed: readonly string[], users: UsersState): Promise<NumberSaved> {
    const { e164, label, sms_enabled, mode, queue, smsc_link } = input;
    const body = { e164, label, sms_enabled, mode, queue: mode === 'queue' ? queue : '', smsc_link };
    let number: NumberRecord;
    try {
      number = id
        ? await pb.collection('numbers').update<NumberRecord>(id, body)
        : await pb.collection('numbers').create<NumberRecord>(body);
    } catch (err) {
      throw sayNumberTaken(err);
    }
    this.upsert(number);

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
}

// the generic "not unique" wording speaks of accounts; a number says it its own way
function sayNumberTaken(err: unknown): unknown {
  if (err instanceof ClientResponseError && err.response?.data?.e164?.code === 'validation_not_unique') {
    err.response.data.e164 = { code: 'number_taken', message: 'This number is already on the list.' };
  }
  return err;
}
