// The inbox: your conversations, unread counts and who is typing, kept
// current by the `inbox` realtime topic (see docs/conversations.md). Started
// by the signed-in shell, so the Messages tab's red dot and the title count
// work on every page. The open conversation (conversation.svelte.ts) listens
// here too, instead of subscribing on its own.
import { goto } from '$app/navigation';
import { pb } from '$lib/api/pb';
import { readError } from '$lib/api/errors';
import type { ConversationRecord, InboxEvent, MessageRecord } from '$lib/api/types';
import {
  applyInboxEvent,
  mergeFetched,
  setUnread,
  totalUnread,
  upsertConversation,
  type UnreadCounts
} from '$lib/chat/inbox';
import { nextExpiry, pruneTyping, type TypingMap } from '$lib/chat/typing';
import { threadPhone } from '$lib/chat/sms';
import { inQueue, isWaiting } from '$lib/chat/queues';
import { formatPhone } from '$lib/domain/phone';
import { DirectoryState } from './directory.svelte';
import { SmsState } from './sms.svelte';
import { NamesState } from './names.svelte';
import { settings } from './settings.svelte';
import { alerts } from './alerts.svelte';

/** InboxListener receives every inbox event after the inbox applied it. */
export type InboxListener = (event: InboxEvent) => void;

/** KIND_LABELS are the type badges of the conversation list. */
export const KIND_LABELS = { direct: 'CHAT', group: 'GROUP', sms: 'SMS' } as const;

/** InboxState holds the conversation list (`.conversations`), unread counts and typing. */
export class InboxState {
  /** your conversations, newest activity first */
  conversations = $state.raw<readonly ConversationRecord[]>([]);
  /** conversation id → unread messages */
  unread = $state.raw<UnreadCounts>({});
  /** conversation id → who is typing there */
  typing = $state.raw<TypingMap>({});
  /** unread messages in all conversations */
  total = $derived(totalUnread(this.unread));
  /** true until the first load has finished */
  loading = $state(true);
  /** why the list could not be loaded; empty when it could */
  error = $state('');
  /** false from a dropped realtime connection until it is back and caught up (it reconnects by itself) */
  connected = $state(true);
  /** a passing message for the list, e.g. "You were removed from Ops." */
  notice = $state('');
  /** the conversation being read now: open, tab visible, scrolled to the bottom; set by its view */
  reading = $state<string | null>(null);
  /** whether this tab is visible */
  visible = $state(true);
  /** the extension directory, for names */
  directory = new DirectoryState();
  /** business numbers, yours, and whom to ask for one */
  sms = new SmsState();
  /** names of phone numbers (phonebook, caller ID) */
  names = new NamesState();
  /** the country national phone numbers are read and shown in (settings) */
  country = $derived(settings.current?.default_country ?? 'US');

  #me = '';
  #listeners = new Set<InboxListener>();
  #reconnectListeners = new Set<() => Promise<void>>();
  #queuesListeners = new Set<() => void>();
  #leaving = new Set<string>();
  #typingTimer: ReturnType<typeof setTimeout> | undefined;

  /** start subscribes to the inbox, loads the list and keeps it current; returns the stop function. */
  start(me: string): () => void {
    this.#me = me;
    let stopped = false;
    let connects = 0;
    let offs: (() => Promise<void>)[] = [];

    const subscribe = () =>
      Promise.all([
        pb.realtime.subscribe('inbox', (e: InboxEvent) => !stopped && this.#apply(e)),
        // an admin made, renamed or archived a queue (rare): on the same stream, so it
        // goes down and comes back with the inbox's own topic (see onOffline)
        pb.realtime.subscribe('queues/*', () => {
          if (!stopped) for (const fn of this.#queuesListeners) fn();
        }),
        pb.realtime.subscribe('PB_CONNECT', () => {
          if (stopped) return;
          // after a dropped connection the SDK re-subscribes by itself: catch up on
          // what was missed; "connected" again once caught up
          if (++connects > 1) void this.#catchUp().then(() => !stopped && (this.connected = true));
          else this.connected = true;
        })
      ]).then((fns) => {
        if (stopped) for (const off of fns) void off().catch(() => {});
        else offs = fns;
      });
    const unsubscribe = () => Promise.all(offs.splice(0).map((off) => off().catch(() => {})));

    const onVisibility = () => (this.visible = document.visibilityState === 'visible');
    onVisibility();
    // the browser says the network went away: the stream may be dead without knowing
    // it (sleep, another Wi-Fi), so close it and start a fresh one, with a catch-up,
    // when the network is back
    const onOffline = () => {
      this.connected = false;
      void unsubscribe();
    };
    const onOnline = () => {
      void unsubscribe().then(() => {
        if (!stopped) subscribe().catch(() => {});
      });
    };
    document.addEventListener('visibilitychange', onVisibility);
    addEventListener('offline', onOffline);
    addEventListener('online', onOnline);
    pb.realtime.onDisconnect = (active) => {
      if (active.length && !stopped) this.connected = false;
    };

    // names and the tone do not depend on the stream: fetch them at once
    void this.directory.load().catch(() => {});
    void settings.load().catch(() => {});
    void this.sms.load(me).catch(() => {});
    // subscribe first, then load: nothing said in between is missed
    void subscribe()
      .catch(() => {
        // the list still loads without live updates
      })
      .then(() => {
        if (!stopped) void this.load();
      });

    return () => {
      stopped = true;
      document.removeEventListener('visibilitychange', onVisibility);
      removeEventListener('offline', onOffline);
      removeEventListener('online', onOnline);
      pb.realtime.onDisconnect = undefined;
      void unsubscribe();
      clearTimeout(this.#typingTimer);
      this.conversations = [];
      this.unread = {};
      this.typing = {};
      this.loading = true;
      this.error = '';
      this.notice = '';
      this.reading = null;
      this.connected = true;
      this.directory.reset();
      this.sms.reset();
      this.names.reset();
    };
  }

  /** load fetches the conversation list and unread counts. */
  async load(): Promise<void> {
    try {
      const [list, counts] = await Promise.all([
        pb.collection('conversations').getFullList<ConversationRecord>({ batch: 200, sort: '-last_message_at,-created' }),
        pb.send<Record<string, number>>('/api/unread', {})
      ]);
      this.conversations = mergeFetched(this.conversations, list);
      this.unread = counts;
      this.error = '';
    } catch (err) {
      this.error = readError(err).message;
    } finally {
      this.loading = false;
    }
  }

  /** listen calls fn with every inbox event; returns the function that stops it. */
  listen(fn: InboxListener): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** onReconnect calls fn after every reconnect, once the list has caught up; the inbox counts as
   * connected again when the promises fn returns have settled. Returns the stop function. */
  onReconnect(fn: () => Promise<void>): () => void {
    this.#reconnectListeners.add(fn);
    return () => this.#reconnectListeners.delete(fn);
  }

  /** onQueuesChanged calls fn when a queue you can see was made, edited or archived; returns the stop function. */
  onQueuesChanged(fn: () => void): () => void {
    this.#queuesListeners.add(fn);
    return () => this.#queuesListeners.delete(fn);
  }

  /** find returns a conversation of the list. */
  find(id: string): ConversationRecord | undefined {
    return this.conversations.find((c) => c.id === id);
  }

  /** titleOf names a conversation: the group's name, the other person in a direct chat, the phone of an SMS thread. */
  titleOf(c: ConversationRecord): string {
    if (c.kind === 'direct') {
      const other = c.members.find((m) => m !== this.#me) ?? '';
      return this.directory.nameOf(other) || 'Chat';
    }
    if (c.kind === 'sms') {
      const phone = threadPhone(c);
      return phone ? this.phoneName(phone) : c.title || 'SMS';
    }
    return c.title || 'Group';
  }

  /** phoneName shows an external number for people: its name (your contact, the shared phonebook, caller ID), else the formatted number. */
  phoneName(e164: string): string {
    return this.names.displayName(e164, this.country);
  }

  /** authorOf names who wrote a message (a search hit): "You", a colleague's name, the name or number of an external phone, else "Someone". */
  authorOf(m: { author: string; author_phone: string }): string {
    if (m.author) return m.author === this.#me ? 'You' : (this.directory.current.get(m.author)?.name ?? 'Someone');
    return m.author_phone ? this.phoneName(m.author_phone) : 'Someone';
  }

  /** formatted shows a number as a number, without looking up its name. */
  formatted(e164: string): string {
    return formatPhone(e164, this.country);
  }

  /** isListed says whether the ordinary list shows a conversation: a direct chat appears for the other person once something is said in it; a conversation waiting in a queue shows in the queue section instead. */
  isListed(c: ConversationRecord): boolean {
    if (isWaiting(c)) return false;
    return c.kind !== 'direct' || !!c.last_message_at || c.created_by === this.#me;
  }

  /** openDirect returns the one conversation with a colleague, creating it the first time. */
  async openDirect(user: string): Promise<ConversationRecord> {
    const c = await pb.send<ConversationRecord>('/api/conversations/direct', { method: 'POST', body: { user } });
    this.conversations = upsertConversation(this.conversations, c);
    return c;
  }

  /** openSms returns the SMS thread between one of your numbers and a phone (as typed), creating it the first time. */
  async openSms(to: string, number: string): Promise<ConversationRecord> {
    const c = await pb.send<ConversationRecord>('/api/conversations/sms', { method: 'POST', body: { to, number: number || undefined } });
    this.conversations = upsertConversation(this.conversations, c);
    return c;
  }

  /** createGroup makes a named group with you, the colleagues picked and any phones, texted from `number` (one of yours). */
  async createGroup(title: string, members: readonly string[], phones: readonly string[] = [], number = ''): Promise<ConversationRecord> {
    const body = phones.length ? { title, members, phones, number: number || undefined } : { title, members };
    const c = await pb.send<ConversationRecord>('/api/conversations/group', { method: 'POST', body });
    this.conversations = upsertConversation(this.conversations, c);
    return c;
  }

  /** remember updates a conversation from a route's answer (rename, members). */
  remember(c: ConversationRecord): void {
    this.conversations = upsertConversation(this.conversations, c);
  }

  /** leave takes you out of a group. */
  async leave(id: string): Promise<void> {
    this.#leaving.add(id);
    await pb.send(`/api/conversations/${id}/leave`, { method: 'POST' });
    this.#apply({ type: 'removed', conversation: id });
  }

  /** drop takes a conversation out of your inbox now, as its `removed` event would (a claim refused because someone else won). */
  drop(id: string): void {
    if (this.find(id)) this.#apply({ type: 'removed', conversation: id });
  }

  /** markRead clears a conversation's count (its view moved your read position to the newest message). */
  markRead(id: string): void {
    this.unread = setUnread(this.unread, id, 0);
  }

  #apply(event: InboxEvent): void {
    if (event.type === 'contact') this.names.applyContact(event.contact, event.deleted);
    else if (event.type === 'phonebook') this.names.reload();
    else if (event.type === 'caller_name') this.names.applyCallerName(event.caller_name.phone, event.caller_name.name);
    const before = { conversations: this.conversations, unread: this.unread, typing: this.typing };
    // a queue conversation comes and goes with claims and logins: the queue section shows that, not a notice
    const gone = event.type === 'removed' ? this.find(event.conversation) : undefined;
    const titles = gone && !inQueue(gone) ? this.titleOf(gone) : '';
    const { data, effects } = applyInboxEvent(before, event, { me: this.#me, reading: this.reading, now: Date.now() });
    if (data.conversations !== before.conversations) this.conversations = data.conversations;
    if (data.unread !== before.unread) this.unread = data.unread;
    if (data.typing !== before.typing) {
      this.typing = data.typing;
      this.#scheduleTypingPrune();
    }
    for (const effect of effects) {
      if (effect.type === 'alert') this.#alert(effect.message);
      else if (effect.type === 'fetch-conversation') void this.#fetchConversation(effect.id);
      else if (effect.type === 'refresh-unread') void this.#refreshUnread();
      else if (effect.type === 'removed' && titles) {
        this.notice = this.#leaving.delete(effect.id) ? `You left ${titles}.` : `You are no longer in ${titles}.`;
      }
    }
    for (const fn of this.#listeners) fn(event);
  }

  #alert(m: MessageRecord): void {
    const c = this.find(m.conversation);
    const who = (m.author && this.directory.nameOf(m.author)) || (m.author_phone && this.phoneName(m.author_phone)) || 'Someone';
    // an SMS thread is named after its phone: a text from that phone needs no "in …"
    const title = !c || c.kind === 'direct' || (c.kind === 'sms' && !m.author) ? who : `${who} in ${this.titleOf(c)}`;
    alerts.alert({
      tone: settings.current?.alert_tone ?? 'chime',
      title,
      body: m.body,
      tag: m.conversation,
      onOpen: () => void goto(`/messages/${m.conversation}`)
    });
  }

  async #fetchConversation(id: string): Promise<void> {
    try {
      const c = await pb.collection('conversations').getOne<ConversationRecord>(id);
      this.conversations = upsertConversation(this.conversations, c);
    } catch {
      // gone again, or not ours: nothing to show
    }
  }

  async #refreshUnread(): Promise<void> {
    try {
      this.unread = await pb.send<Record<string, number>>('/api/unread', {});
    } catch {
      // the next event or reconnect corrects it
    }
  }

  async #catchUp(): Promise<void> {
    await Promise.all([
      this.load(),
      this.directory.load().catch(() => {}),
      settings.load().catch(() => {}),
      this.sms.load(this.#me).catch(() => {})
    ]);
    this.names.reload();
    await Promise.all([...this.#reconnectListeners].map((fn) => fn().catch(() => {})));
  }

  #scheduleTypingPrune(): void {
    clearTimeout(this.#typingTimer);
    const next = nextExpiry(this.typing);
    if (next === null) return;
    this.#typingTimer = setTimeout(() => {
      this.typing = pruneTyping(this.typing, Date.now());
      this.#scheduleTypingPrune();
    }, Math.max(0, next - Date.now()) + 20);
  }
}

/** inbox is the signed-in user's inbox. */
export const inbox = new InboxState();

/** pageTitle prefixes a page title with the unread count: "(3) Messages". */
export function pageTitle(name: string): string {
  return inbox.total > 0 ? `(${inbox.total}) ${name}` : name;
}
