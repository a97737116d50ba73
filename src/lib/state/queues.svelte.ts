// Your SMS queues: which you belong to, whether you are logged in, how many
// wait, who else is logged in (`.current`, from GET /api/queues/mine and the
// inbox's `queue` events), the waiting conversations themselves (from the
// inbox: you are their member while logged in), the claim / transfer /
// release / close actions, and the reminder tone while something waits.
// Started by the signed-in shell next to the inbox.
import { untrack } from 'svelte';
import { goto } from '$app/navigation';
import { pb } from '$lib/api/pb';
import { readError } from '$lib/api/errors';
import type { ConversationRecord, MessageRecord, QueueSummary } from '$lib/api/types';
import { previewOf } from '$lib/chat/compose';
import { applyQueueEvent, toneDue, waitingByQueue, waitingForMe as countWaiting } from '$lib/chat/queues';
import { inbox } from './inbox.svelte';
import { alerts } from './alerts.svelte';
import { settings } from './settings.svelte';

// the waited times tick by the second
const TICK_MS = 1000;

/** QueuesState holds your queues as `.current` and what waits in them. */
export class QueuesState {
  /** your queues (not archived), by name */
  current = $state.raw<readonly QueueSummary[]>([]);
  /** true until the first load has finished */
  loading = $state(true);
  /** why the queues could not be loaded or an action failed; empty otherwise */
  error = $state('');
  /** a passing word about the last action, e.g. "Already claimed by Alice." */
  notice = $state('');
  /** queue ids whose login is being switched */
  switching = $state.raw<ReadonlySet<string>>(new Set());
  /** conversation ids being claimed */
  claiming = $state.raw<ReadonlySet<string>>(new Set());
  /** the present, refreshed every second while something waits, for the waited times */
  now = $state(Date.now());
  /** queue id → the conversations waiting there that you see (you are logged in), longest waiting first */
  waiting = $derived(waitingByQueue(inbox.conversations));
  /** conversation id → the first words of the customer's latest text (the preview itself may be a system line or the greeting) */
  texts = $state.raw<ReadonlyMap<string, string>>(new Map());
  /** how many conversations wait in the queues you are logged in to */
  waitingForMe = $derived(countWaiting(this.current, this.waiting));

  #me = '';
  #lastTone = 0;
  #asked = new Set<string>();

  /** start loads your queues and follows their events; returns the stop function. */
  start(me: string): () => void {
    this.#me = me;
    const off = inbox.listen((e) => {
      if (e.type === 'message' && e.message.author_phone && e.message.kind !== 'system') {
        this.texts = new Map(this.texts).set(e.message.conversation, previewOf(e.message.body));
      }
      if (e.type !== 'queue') return;
      this.current = applyQueueEvent(this.current, e, this.#me);
      // a queue you were just added to is not in the list yet
      if (!this.current.some((q) => q.id === e.queue)) void this.load();
    });
    const offReconnect = inbox.onReconnect(() => this.load());
    // an admin made a queue with you in it, renamed or archived one: `queue`
    // events only carry counts, so the inbox follows the collection too
    const offQueues = inbox.onQueuesChanged(() => void this.load());
    void this.load();
    // the customer's words for every waiting conversation that appears without them
    const stopTexts = $effect.root(() => {
      $effect(() => {
        const missing = [...this.waiting.values()].flat().map((w) => w.conversation.id).filter((id) => !this.texts.has(id));
        if (missing.length) untrack(() => void this.#loadTexts(missing));
      });
    });
    const timer = setInterval(() => this.#tick(), TICK_MS);
    return () => {
      stopTexts();
      offQueues();
      off();
      offReconnect();
      clearInterval(timer);
      this.current = [];
      this.loading = true;
      this.error = '';
      this.notice = '';
      this.texts = new Map();
      this.#asked.clear();
    };
  }

  /** textOf is what the waiting list shows of a conversation: the customer's latest text, else its preview. */
  textOf(c: ConversationRecord): string {
    return this.texts.get(c.id) ?? c.last_preview;
  }

  async #loadTexts(ids: readonly string[]): Promise<void> {
    const fresh = ids.filter((id) => !this.#asked.has(id));
    if (!fresh.length) return;
    for (const id of fresh) this.#asked.add(id);
    try {
      const found = new Map<string, string>();
      // newest first, one page of them per call: a few customers' recent texts
      for (let i = 0; i < fresh.length; i += 20) {
        const part = fresh.slice(i, i + 20);
        const filter = part.map((_, j) => `conversation = {:c${j}}`).join(' || ');
        const params = Object.fromEntries(part.map((id, j) => [`c${j}`, id]));
        const page = await pb.collection('messages').getList<MessageRecord>(1, 200, {
          filter: pb.filter(`author_phone != '' && kind = 'text' && (${filter})`, params),
          sort: '-created,-id',
          skipTotal: true,
          fields: 'conversation,body,created'
        });
        for (const m of page.items) if (!found.has(m.conversation)) found.set(m.conversation, previewOf(m.body));
      }
      // a text that arrived by event meanwhile is newer than what the page said
      const next = new Map(found);
      for (const [id, text] of this.texts) next.set(id, text);
      this.texts = next;
    } catch {
      // the preview stands in; the next text fills it
      for (const id of fresh) this.#asked.delete(id);
    }
  }

  /** load fetches your queues. */
  async load(): Promise<void> {
    try {
      const r = await pb.send<{ queues: QueueSummary[] }>('/api/queues/mine', {});
      this.current = r.queues;
      this.error = '';
    } catch (err) {
      this.error = readError(err).message;
    } finally {
      this.loading = false;
    }
  }

  /** find returns one of your queues. */
  find(id: string | undefined): QueueSummary | undefined {
    return id ? this.current.find((q) => q.id === id) : undefined;
  }

  /** setLoggedIn logs you in to a queue (you see and are alerted to what waits there) or out (your claims there go back to waiting). */
  async setLoggedIn(id: string, on: boolean): Promise<void> {
    this.notice = '';
    this.switching = new Set([...this.switching, id]);
    try {
      const r = await pb.send<{ queues: QueueSummary[] }>(`/api/queue/${id}/${on ? 'login' : 'logout'}`, { method: 'POST' });
      // only this queue's entry: answers to logins in other queues at the same
      // moment (Log in to all) race, and an older one must not undo a newer one
      const mine = r.queues.find((q) => q.id === id);
      this.current = mine && this.current.some((q) => q.id === id) ? this.current.map((q) => (q.id === id ? mine : q)) : r.queues;
      this.error = '';
      // what waits there reaches the inbox as conversation events; this is quicker than waiting for them
      if (on) void inbox.load();
    } catch (err) {
      const message = readError(err).message;
      // taken out of the queue, or it was archived: nothing told this tab (you can no longer see it)
      await this.load();
      this.error = message;
    } finally {
      this.switching = new Set([...this.switching].filter((q) => q !== id));
    }
  }

  /** logInToAll logs you in to every queue you are logged out of. */
  async logInToAll(): Promise<void> {
    await Promise.all(this.current.filter((q) => !q.logged_in).map((q) => this.setLoggedIn(q.id, true)));
    // one answer read after every login committed
    await this.load();
  }

  /** logOutOfAll logs you out of every queue (signing out of the app hands your claims back). */
  async logOutOfAll(): Promise<void> {
    await Promise.all(
      this.current
        .filter((q) => q.logged_in)
        .map((q) => pb.send(`/api/queue/${q.id}/logout`, { method: 'POST' }).catch(() => {}))
    );
  }

  /**
   * claim makes a waiting conversation yours. When someone was quicker the
   * refusal ("Already claimed by Alice.") becomes the notice and the
   * conversation leaves your list. Returns the claimed conversation, or null.
   */
  async claim(id: string): Promise<ConversationRecord | null> {
    if (this.claiming.has(id)) return null;
    this.notice = '';
    this.error = '';
    this.claiming = new Set([...this.claiming, id]);
    try {
      const c = await pb.send<ConversationRecord>(`/api/queue/${id}/claim`, { method: 'POST' });
      inbox.remember(c);
      return c;
    } catch (err) {
      const problem = readError(err);
      this.notice = problem.message;
      // taken or closed meanwhile: it no longer waits for you
      if (problem.status === 409 || problem.status === 404) inbox.drop(id);
      return null;
    } finally {
      this.claiming = new Set([...this.claiming].filter((c) => c !== id));
    }
  }

  /** release hands your conversation back to the queue; throws the refusal. */
  async release(id: string): Promise<void> {
    await pb.send(`/api/queue/${id}/release`, { method: 'POST' });
  }

  /** close closes your conversation with an optional reason; throws the refusal. */
  async close(id: string, reason: string): Promise<void> {
    const c = await pb.send<ConversationRecord>(`/api/queue/${id}/close`, { method: 'POST', body: { reason } });
    inbox.remember(c);
  }

  /** transfer gives your conversation to another logged-in agent of its queue; throws the refusal. */
  async transfer(id: string, to: string): Promise<void> {
    await pb.send(`/api/queue/${id}/transfer`, { method: 'POST', body: { to } });
  }

  #tick(): void {
    const now = Date.now();
    if (this.waitingForMe === 0) {
      // the next waiting conversation arrives with its own message tone: the reminder counts from there
      this.#lastTone = now;
      return;
    }
    this.now = now;
    if (!toneDue(this.waitingForMe, this.#lastTone, now)) return;
    this.#lastTone = now;
    const n = this.waitingForMe;
    const names = this.current.filter((q) => q.logged_in && this.waiting.get(q.id)?.length).map((q) => q.name);
    alerts.alert({
      tone: settings.current?.alert_tone ?? 'chime',
      title: `${n} waiting in ${names.join(', ')}`,
      body: n === 1 ? 'A customer is waiting for an agent to claim them.' : `${n} customers are waiting for an agent to claim them.`,
      tag: 'queue-waiting',
      onOpen: () => void goto('/messages')
    });
  }
}

/** queues is the signed-in user's queues. */
export const queues = new QueuesState();
