// The scheduled sends of one open conversation: the texts waiting to go
// (everyone in the conversation sees them), scheduling one from the compose
// box and cancelling. Kept current by the inbox's `scheduled` events; a text
// leaves the list when it goes (its message arrives as any other), is
// cancelled or fails (a system line says why). docs/scheduled.md.
import { pb } from '$lib/api/pb';
import { readError } from '$lib/api/errors';
import type { ScheduledRecord } from '$lib/api/types';
import { newClientKey } from '$lib/chat/compose';
import { inbox } from './inbox.svelte';

/** sentenceOf is the one sentence a refusal says (the field's, else the request's). */
function sentenceOf(err: unknown): string {
  const e = readError(err);
  return Object.values(e.fields)[0] || e.message;
}

/** ScheduledState holds the conversation's waiting scheduled texts as `.current`, soonest first. */
export class ScheduledState {
  current = $state<ScheduledRecord[]>([]);
  /** why the last cancel did not happen */
  error = $state('');

  constructor(readonly conversation: string) {}

  /** start follows the inbox; returns the stop function. The pane calls load while the inbox is connected (at once, and after a drop). */
  start(): () => void {
    return inbox.listen((e) => {
      if (e.type === 'scheduled' && e.scheduled.conversation === this.conversation) this.#apply(e.scheduled);
    });
  }

  /** load reads the waiting texts again (on opening, and after the stream was down). */
  async load(): Promise<void> {
    try {
      this.current = await pb.collection('scheduled_messages').getFullList<ScheduledRecord>({
        filter: pb.filter('conversation = {:c} && state = "scheduled"', { c: this.conversation }),
        sort: 'send_at,id'
      });
    } catch {
      // the next event or reconnect brings them
    }
  }

  #apply(r: ScheduledRecord): void {
    const rest = this.current.filter((x) => x.id !== r.id);
    this.current = r.state === 'scheduled' ? [...rest, r].sort((a, b) => a.send_at.localeCompare(b.send_at) || a.id.localeCompare(b.id)) : rest;
  }

  /** schedule stores a text to go at `at` (epoch ms); resolves with '' or the sentence that refused it. */
  async schedule(body: string, at: number): Promise<string> {
    try {
      const r = await pb.collection('scheduled_messages').create<ScheduledRecord>({
        conversation: this.conversation,
        body,
        send_at: new Date(at).toISOString(),
        client_key: newClientKey()
      });
      this.#apply(r);
      return '';
    } catch (err) {
      return sentenceOf(err);
    }
  }

  /** cancel stops a scheduled text; a refusal (it went a moment ago) is kept in `.error`. */
  async cancel(id: string): Promise<void> {
    this.error = '';
    try {
      this.#apply(await pb.send<ScheduledRecord>(`/api/scheduled/${id}/cancel`, { method: 'POST' }));
    } catch (err) {
      this.error = sentenceOf(err);
      void this.load();
    }
  }
}
