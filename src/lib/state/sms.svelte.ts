// What the inbox needs to know about SMS: the business numbers (to name the
// number a thread runs on), which of them you may text from, and the
// administrators to ask when you may not. Loaded with the inbox and again
// after a reconnect; your own numbers are read afresh whenever + New → SMS or
// a group dialog opens, since an admin may have just changed them.
import { pb } from '$lib/api/pb';
import type { NumberRecord } from '$lib/api/types';
import { smsAccess, type SmsAccess } from '$lib/chat/sms';
import { settings } from './settings.svelte';

/** YourNumbers is the part of your user record that says where you may text from. */
export interface YourNumbers {
  sms_numbers: string[];
  default_number: string;
}

/** SmsState holds the business numbers (`.numbers`), yours (`.yours`) and the administrators' names. */
export class SmsState {
  /** every business number */
  numbers = $state.raw<readonly NumberRecord[]>([]);
  /** your numbers, as last read from the server; null before */
  yours = $state.raw<YourNumbers | null>(null);
  /** names of the active administrators, to say whom to ask */
  admins = $state.raw<readonly string[]>([]);
  /** true once numbers, yours and admins have loaded */
  loaded = $state(false);
  /** whether you may text, and from which numbers */
  access = $derived.by((): SmsAccess | null =>
    this.yours && this.loaded ? smsAccess(this.yours, this.numbers, this.admins, settings.current?.default_country ?? 'US') : null
  );

  #me = '';
  #loading: Promise<void> | null = null;

  /** load fetches the numbers, yours and the administrators (a call while one runs joins it). */
  load(me: string): Promise<void> {
    this.#me = me;
    this.#loading ??= (async () => {
      try {
        const [numbers, you, admins] = await Promise.all([
          pb.collection('numbers').getFullList<NumberRecord>({ batch: 500, sort: 'label,e164' }),
          pb.collection('users').getOne<YourNumbers>(me, { fields: 'sms_numbers,default_number' }),
          pb.collection('users').getFullList<{ name: string }>({
            filter: 'role = "admin" && disabled = false',
            fields: 'name',
            sort: 'name'
          })
        ]);
        if (me !== this.#me) return;
        this.numbers = numbers;
        this.yours = { sms_numbers: you.sms_numbers ?? [], default_number: you.default_number ?? '' };
        this.admins = admins.map((a) => a.name);
        this.loaded = true;
      } finally {
        this.#loading = null;
      }
    })();
    return this.#loading;
  }

  /** refresh reads everything again (a dialog that offers numbers opened). */
  refresh(): Promise<void> {
    return this.#me ? this.load(this.#me) : Promise.resolve();
  }

  /** numberOf returns a business number by id. */
  numberOf(id: string): NumberRecord | undefined {
    return this.numbers.find((n) => n.id === id);
  }

  /** reset forgets everything (sign-out). */
  reset(): void {
    this.#me = '';
    this.numbers = [];
    this.yours = null;
    this.admins = [];
    this.loaded = false;
  }
}
