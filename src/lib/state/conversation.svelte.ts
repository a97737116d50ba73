// One open conversation: its messages (newest page first, older pages on
// demand), the members' read positions for the receipts, sending with
// optimistic bubbles and idempotent retries, marking read, the typing signal,
// and the group actions. With phones in it: the SMS deliveries of its
// messages and their retries, the segment counter, opt-outs, adding and
// removing phones. Events come from the inbox (inbox.svelte.ts).
import { pb } from '$lib/api/pb';
import { isRefusal, readError } from '$lib/api/errors';
import type { ConversationRecord, DeliveryRecord, InboxEvent, MessageRecord, ParticipantRecord } from '$lib/api/types';
import { Throttle, checkBody, newClientKey } from '$lib/chat/compose';
import { receiptLines } from '$lib/chat/receipts';
import {
  activePhones,
  composerPlan,
  mayHaveDeliveries,
  mergeDeliveries,
  namePrefix,
  newestUpdate,
  optOutRefusal,
  optOuts,
  type DeliveriesByMessage
} from '$lib/chat/sms';
import { toServerTime } from '$lib/chat/time';
import { queueComposerBlock } from '$lib/chat/queues';
import { canReceiveSms, noReplyReason } from '$lib/domain/phone';
import {
  LOCAL_PREFIX,
  buildRows,
  compareMessages,
  mergeMessages,
  oldestStored,
  withoutMessage,
  type ChatMessage,
  type Row
} from '$lib/chat/timeline';
import { inbox } from './inbox.svelte';
import { settings } from './settings.svelte';
import { UploadError, limits, uploadOriginal } from './files.svelte';
import { MAX_FILES, NO_PUBLIC_URL, checkFile, placeholderLinks, smsText } from '$lib/domain/attachments';

/** PendingFile is a file chosen in the composer, not sent yet. */
export interface PendingFile {
  id: string;
  file: File;
  /** an object URL to show a picture before sending; '' for other files */
  preview: string;
}

// pictures the browser shows as they are (HEIC and TIFF get no preview before processing)
const PREVIEWABLE = ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif', 'image/bmp'];
let pendingSeq = 0;

/** PAGE is how many messages one history request brings. */
export const PAGE = 50;
// going to a found message loads everything from it to the newest, this many at a time, up to JUMP_MAX
const JUMP_PAGE = 500;
const JUMP_MAX = 10_000;
// after a reconnect, up to this many missed messages are fetched; more and the view starts again from the newest page
const CATCH_UP = 200;
const READ_GAP_MS = 1000;
const TYPING_GAP_MS = 3000;
const DOUBLE_ENTER_MS = 1000;
const RETRY_MS = 3000;

// what was typed but not sent, per conversation, while this tab lives
const drafts = new Map<string, string>();
// a first message written in + New → SMS, sent when its conversation opens
const firstMessages = new Map<string, string>();

/** queueFirstMessage hands a text to the conversation's view, which sends it (as an ordinary, optimistic send) when it opens. */
export function queueFirstMessage(id: string, text: string): void {
  if (text.trim()) firstMessages.set(id, text);
}

/** ConversationState is one open conversation. */
export class ConversationState {
  readonly id: string;
  readonly me: string;

  /** loaded messages, oldest first; your unsent ones last */
  messages = $state.raw<readonly ChatMessage[]>([]);
  /** every participant row, for read receipts */
  participants = $state.raw<readonly ParticipantRecord[]>([]);
  /** true until the newest page has loaded */
  loading = $state(true);
  /** why the conversation cannot be shown (e.g. you are not in it) */
  error = $state('');
  /** whether older messages remain on the server */
  hasOlder = $state(false);
  loadingOlder = $state(false);
  /** why the older page failed */
  olderError = $state('');
  /** the "new messages" divider goes after this time; null for none */
  unreadAfter = $state<string | null>(null);
  /** messages from others that arrived while you were scrolled up */
  newBelow = $state(0);
  /** why the composer's text cannot be sent */
  sendError = $state('');
  /** you left or were removed: the view closes */
  closed = $state(false);
  /** SMS deliveries of the loaded messages, by message */
  deliveries = $state.raw<DeliveriesByMessage>(new Map());
  /** why the last Retry of a delivery was refused */
  deliveryError = $state('');
  /** the message to bring into view and highlight (a search result), once loaded; '' for none */
  focus = $state('');
  /** why a found message could not be shown */
  focusError = $state('');

  #atBottom = $state(true);
  #fetched = $state.raw<ConversationRecord | null>(null);
  #rowCache = new Map<string, Row>();
  #readTimer: ReturnType<typeof setTimeout> | undefined;
  #lastRead = 0;
  #typing = new Throttle(TYPING_GAP_MS);
  #refused = false;
  #lastSent = 0;
  // the newest message known from an unbroken run (pages, catch-ups, realtime
  // events while connected): a catch-up starts here. Your own sends do not
  // move it: one stored while the stream was down is newer than what it missed.
  #synced: MessageRecord | null = null;
  #broken = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  // messages whose deliveries were asked for one by one (a send's answer and its event both arrive)
  #deliveriesAsked = new Set<string>();
  #ready: Promise<void> = Promise.resolve();

  /** the conversation record (from the inbox list, else fetched) */
  conversation = $derived.by(() => inbox.find(this.id) ?? this.#fetched);
  /** your participant row */
  mine = $derived(this.participants.find((p) => p.user === this.me && !p.left_at));
  /** the draft in the composer */
  draft = $state('');
  /** files chosen for the next message */
  pending = $state.raw<readonly PendingFile[]>([]);
  /** why a file was not taken (too big, refused type, no public URL) */
  fileError = $state('');
  /** the external members still in the conversation */
  phones = $derived(activePhones(this.participants));
  /** texts written here go out by SMS: an SMS thread, or a group with phones */
  texting = $derived(this.conversation?.kind === 'sms' || this.phones.length > 0);
  /** phones in it that opted out, with the day (and word) */
  optOuts = $derived(optOuts(this.participants, this.messages));
  /** why nothing can be sent here: SMS off on its number, an SMS thread with a sender name, or whose phone opted out; '' otherwise */
  blocked = $derived.by(() => {
    // every text would fail while the number it goes from has SMS switched off
    const number = this.texting && this.conversation?.our_number ? inbox.sms.numberOf(this.conversation.our_number) : undefined;
    if (number && !number.sms_enabled) return `SMS is switched off for ${inbox.formatted(number.e164)}, which this conversation texts from. Ask an administrator.`;
    if (this.conversation?.kind !== 'sms') return '';
    const queued = queueComposerBlock(this.conversation, this.me);
    if (queued) return queued;
    const oneWay = this.phones.find((p) => !canReceiveSms(p.phone));
    if (oneWay) return noReplyReason(oneWay.phone);
    return this.optOuts.length ? optOutRefusal(this.optOuts[0], inbox.country, new Date()) : '';
  });
  /** what the draft costs as SMS (with your name in front, in groups); null when nothing goes out by SMS */
  smsPlan = $derived(
    this.texting ? composerPlan(smsText(this.draft.trim(), placeholderLinks(settings.current?.public_url ?? '', this.pending.length)), this.#prefix()) : null
  );
  /** you are reading: loaded, tab visible, scrolled to the bottom */
  reading = $derived(!this.loading && !this.error && this.#atBottom && inbox.visible);
  /** something by someone else is newer than your read position */
  needsRead = $derived.by(() => {
    const mine = this.mine;
    if (!mine) return false;
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const m = this.messages[i];
      if (m.status || m.author === this.me) continue;
      return m.created > mine.last_read_at;
    }
    return false;
  });
  /** the rows of the view */
  rows = $derived.by(() => {
    const names = (user: string) => inbox.directory.nameOf(user) || 'Someone';
    const receipts = receiptLines(this.messages, this.participants, this.me, names);
    // a texted message says how its SMS fared instead of "Sent"
    for (const [id, line] of receipts) if (line === 'Sent' && this.deliveries.get(id)?.length) receipts.delete(id);
    return buildRows(
      this.messages,
      {
        me: this.me,
        authorName: (m) => (m.author ? names(m.author) : m.author_phone ? inbox.phoneName(m.author_phone) : m.integration_name ? `${m.integration_name} (integration)` : 'Unknown'),
        unreadAfter: this.unreadAfter,
        receipts,
        deliveries: this.deliveries,
        now: new Date()
      },
      this.#rowCache
    );
  });

  constructor(id: string, me: string) {
    this.id = id;
    this.me = me;
    this.draft = drafts.get(id) ?? '';
  }

  // an SMS thread, or a group that ever had a phone: its messages may have deliveries
  get #everTexted(): boolean {
    return this.conversation?.kind === 'sms' || this.participants.some((p) => p.phone);
  }

  // what goes before your text when it is texted: your name, in groups
  #prefix(): string {
    if (this.conversation?.kind !== 'group') return '';
    return namePrefix(settings.current?.sms_name_prefix ?? '', inbox.directory.nameOf(this.me));
  }

  /** atBottom is whether the view is scrolled to the newest message; the view sets it. */
  get atBottom(): boolean {
    return this.#atBottom;
  }
  set atBottom(value: boolean) {
    this.#atBottom = value;
    if (value) this.newBelow = 0;
  }

  /** start loads the newest page and follows the inbox; returns the stop function. */
  start(): () => void {
    const off = inbox.listen((e) => this.#apply(e));
    const offReconnect = inbox.onReconnect(() => this.#catchUp());
    this.#ready = this.#loadLatest();
    const first = firstMessages.get(this.id);
    if (first !== undefined) {
      firstMessages.delete(this.id);
      if (!this.send(first)) this.saveDraft(first);
    }
    return () => {
      off();
      offReconnect();
      clearTimeout(this.#retryTimer);
      // leaving within the read debounce still records what you were shown
      if (this.#readTimer !== undefined) {
        clearTimeout(this.#readTimer);
        this.#readTimer = undefined;
        void this.#markRead(true);
      }
    };
  }

  /** saveDraft keeps the composer's text for when you come back. */
  saveDraft(text: string): void {
    this.draft = text;
    if (text) drafts.set(this.id, text);
    else drafts.delete(this.id);
  }

  /** loadOlder fetches the page before the oldest loaded message. */
  async loadOlder(): Promise<void> {
    const oldest = oldestStored(this.messages);
    if (!this.hasOlder || this.loadingOlder || !oldest) return;
    this.loadingOlder = true;
    this.olderError = '';
    try {
      const page = await pb.collection('messages').getList<MessageRecord>(1, PAGE, {
        filter: pb.filter('conversation = {:c} && (created < {:t} || (created = {:t} && id < {:id}))', {
          c: this.id,
          t: oldest.created,
          id: oldest.id
        }),
        sort: '-created,-id',
        skipTotal: true
      });
      this.messages = mergeMessages(this.messages, page.items.reverse());
      this.hasOlder = page.items.length === PAGE;
      if (page.items.length && this.#everTexted) {
        void this.#loadDeliveries('message.created >= {:from} && message.created <= {:to}', {
          from: page.items[0].created,
          to: oldest.created
        });
      }
    } catch (err) {
      this.olderError = readError(err).message;
    } finally {
      this.loadingOlder = false;
    }
  }

  /** addFiles takes files for the next message (chosen, dropped or pasted); refused ones are named in fileError. */
  addFiles(files: readonly File[]): void {
    const problems: string[] = [];
    const taken: PendingFile[] = [];
    for (const file of files) {
      const problem =
        this.pending.length + taken.length >= MAX_FILES
          ? `A message can carry up to ${MAX_FILES} files.`
          : this.texting && !settings.current?.public_url
            ? NO_PUBLIC_URL
            : checkFile({ name: file.name || 'pasted.png', size: file.size }, limits());
      if (problem) {
        if (!problems.includes(problem)) problems.push(problem);
        continue;
      }
      const preview = PREVIEWABLE.includes(file.type) ? URL.createObjectURL(file) : '';
      taken.push({ id: `f${++pendingSeq}`, file, preview });
    }
    this.fileError = problems.join(' ');
    if (taken.length) this.pending = [...this.pending, ...taken];
  }

  /** removeFile takes a chosen file back out before sending. */
  removeFile(id: string): void {
    const f = this.pending.find((p) => p.id === id);
    if (f?.preview) URL.revokeObjectURL(f.preview);
    this.pending = this.pending.filter((p) => p.id !== id);
    this.fileError = '';
  }

  /**
   * showMessage loads the history from a message (a search result) up to
   * what is loaded, plus a page before it, so the view is one unbroken run
   * around it, then sets `focus` for the list to scroll to and highlight.
   */
  async showMessage(id: string): Promise<void> {
    this.focus = '';
    this.focusError = '';
    await this.#ready;
    if (this.error) return;
    if (!this.messages.some((m) => m.id === id)) {
      try {
        const target = await pb.collection('messages').getOne<MessageRecord>(id);
        if (target.conversation !== this.id) return;
        const oldest = oldestStored(this.messages);
        if (oldest) {
          const between: MessageRecord[] = [];
          for (let page = 1; between.length < JUMP_MAX; page++) {
            const r = await pb.collection('messages').getList<MessageRecord>(page, JUMP_PAGE, {
              filter: pb.filter(
                'conversation = {:c} && (created > {:t} || (created = {:t} && id >= {:id})) && (created < {:o} || (created = {:o} && id < {:oid}))',
                { c: this.id, t: target.created, id: target.id, o: oldest.created, oid: oldest.id }
              ),
              sort: '-created,-id',
              skipTotal: true
            });
            between.push(...r.items);
            if (r.items.length < JUMP_PAGE) break;
          }
          this.messages = mergeMessages(this.messages, between.reverse());
          if (between.length && this.#everTexted) {
            void this.#loadDeliveries('message.created >= {:from} && message.created <= {:to}', {
              from: target.created,
              to: oldest.created
            });
          }
        }
        if (!this.messages.some((m) => m.id === id)) {
          this.focusError = 'That message is too far back to show here.';
          return;
        }
        this.hasOlder = true;
        // what was said just before it
        await this.loadOlder();
      } catch (err) {
        this.focusError = readError(err).message;
        return;
      }
    }
    this.focus = id;
  }

  /** send shows the text (and its files) at once and posts it; returns false (with sendError) when it cannot be sent. */
  send(text: string): boolean {
    const body = text.trim();
    const files = this.pending;
    // a second Enter right after sending finds the box empty: that is no mistake to point out
    if (!body && !files.length && Date.now() - this.#lastSent < DOUBLE_ENTER_MS) return false;
    const problem =
      (files.length && !body ? '' : checkBody(body)) ||
      this.blocked ||
      (this.texting ? (composerPlan(smsText(body, placeholderLinks(settings.current?.public_url ?? '', files.length)), this.#prefix())?.over ?? '') : '');
    if (problem) {
      this.sendError = problem;
      return false;
    }
    this.sendError = '';
    this.unreadAfter = null;
    this.#typing.reset();
    const key = newClientKey();
    const local: ChatMessage = {
      id: LOCAL_PREFIX + key,
      conversation: this.id,
      author: this.me,
      author_phone: '',
      body,
      kind: 'text',
      client_key: key,
      created: toServerTime(new Date()),
      status: 'sending',
      uploads: files.map((f) => ({ file: f.file, progress: 0 }))
    };
    for (const f of files) if (f.preview) URL.revokeObjectURL(f.preview);
    this.pending = [];
    this.fileError = '';
    this.messages = mergeMessages(this.messages, [local]);
    this.#lastSent = Date.now();
    void this.#post(local);
    return true;
  }

  /** retry sends a failed message again with its client key, so it is stored once whatever happened before. */
  retry(id: string): void {
    const m = this.messages.find((x) => x.id === id);
    if (m?.status !== 'failed') return;
    const again = { ...m, status: 'sending' as const, error: undefined };
    this.messages = mergeMessages(this.messages, [again]);
    void this.#post(again);
  }

  /** discard drops a failed message and returns its text (to edit it). */
  discard(id: string): string {
    const m = this.messages.find((x) => x.id === id);
    this.messages = withoutMessage(this.messages, id);
    return m?.body ?? '';
  }

  /** typed sends the typing signal, at most every few seconds; not while what you write here is refused. */
  typed(text: string): void {
    if (this.sendError) this.sendError = '';
    if (this.#refused || this.blocked) return;
    if (!text.trim() || !this.#typing.ready(Date.now())) return;
    pb.send(`/api/conversations/${this.id}/typing`, { method: 'POST' }).catch(() => {});
  }

  // the server refused a send: others stop seeing "… is typing", and no more
  // signals go until a send is accepted
  #stopTyping(): void {
    this.#refused = true;
    this.endTyping();
  }

  /** endTyping tells the others at once that this person stopped typing without sending (the text was scheduled instead). */
  endTyping(): void {
    this.#typing.reset();
    pb.send(`/api/conversations/${this.id}/typing`, { method: 'POST', body: { stopped: true } }).catch(() => {});
  }

  /** scheduleRead moves your read position to the newest message, at most once a second. */
  scheduleRead(): void {
    if (this.#readTimer !== undefined) return;
    const wait = Math.max(0, this.#lastRead + READ_GAP_MS - Date.now());
    this.#readTimer = setTimeout(() => {
      this.#readTimer = undefined;
      this.#lastRead = Date.now();
      void this.#markRead();
    }, wait);
  }

  /** rename gives the group a new name. */
  async rename(title: string): Promise<void> {
    const c = await pb.send<ConversationRecord>(`/api/conversations/${this.id}/title`, { method: 'POST', body: { title } });
    inbox.remember(c);
  }

  /** addMembers adds colleagues to the group. */
  async addMembers(users: readonly string[]): Promise<void> {
    const c = await pb.send<ConversationRecord>(`/api/conversations/${this.id}/members`, { method: 'POST', body: { users } });
    inbox.remember(c);
    await this.#loadParticipants();
  }

  /** removeMember takes someone out of the group. */
  async removeMember(user: string): Promise<void> {
    await pb.send(`/api/conversations/${this.id}/members/${user}`, { method: 'DELETE' });
    const c = this.conversation;
    if (c) inbox.remember({ ...c, members: c.members.filter((m) => m !== user) });
  }

  /** leave takes you out of the group; the view closes. */
  async leave(): Promise<void> {
    await inbox.leave(this.id);
    this.closed = true;
  }

  /** addPhone adds an external number (as typed) to the group; `number` chooses the group's business number the first time. */
  async addPhone(phone: string, number = ''): Promise<void> {
    const c = await pb.send<ConversationRecord>(`/api/conversations/${this.id}/phones`, {
      method: 'POST',
      body: { phone, number: number || undefined }
    });
    inbox.remember(c);
    await this.#loadParticipants();
  }

  /** removePhone takes an external number (E.164) out of the group. */
  async removePhone(phone: string): Promise<void> {
    await pb.send(`/api/conversations/${this.id}/phones/${encodeURIComponent(phone)}`, { method: 'DELETE' });
    await this.#loadParticipants();
  }

  /** retryDelivery queues a failed SMS again; a refusal (the phone opted out) goes to deliveryError. */
  async retryDelivery(id: string): Promise<void> {
    this.deliveryError = '';
    try {
      const d = await pb.send<DeliveryRecord>(`/api/deliveries/${id}/retry`, { method: 'POST' });
      this.deliveries = mergeDeliveries(this.deliveries, [d]);
    } catch (err) {
      this.deliveryError = readError(err).message;
    }
  }

  // fetches the deliveries of this conversation's messages that match filter (with params)
  async #loadDeliveries(filter: string, params: Record<string, string>): Promise<void> {
    try {
      const list = await pb.collection('deliveries').getFullList<DeliveryRecord>({
        batch: 500,
        filter: pb.filter(`message.conversation = {:c} && ${filter}`, { ...params, c: this.id })
      });
      this.deliveries = mergeDeliveries(this.deliveries, list);
    } catch {
      // statuses stay as they were; the next event or reconnect brings them
    }
  }

  // new messages that may have been texted: ask for their deliveries (queued in the same write, so they exist by now)
  #askDeliveries(items: readonly MessageRecord[]): void {
    // an SMS thread has its phone even before the participants have loaded
    const phones = this.phones.length || (this.conversation?.kind === 'sms' ? 1 : 0);
    for (const m of items) {
      if (this.#deliveriesAsked.has(m.id) || !mayHaveDeliveries(m, phones)) continue;
      // a message's SMS go out once its files are processed: ask then
      if (m.files?.some((f) => f.status === 'processing')) continue;
      this.#deliveriesAsked.add(m.id);
      void this.#loadDeliveries('message = {:m}', { m: m.id });
    }
  }

  // uploads the files of an unsent message in order, showing each one's progress; a retry sends them again under the same key and the server keeps one copy
  async #upload(local: ChatMessage): Promise<void> {
    const uploads = [...(local.uploads ?? [])];
    for (const [i, u] of uploads.entries()) {
      await uploadOriginal(this.id, local.client_key, i, u.file, (progress) => {
        uploads[i] = { ...uploads[i], progress };
        const now = this.messages.find((m) => m.id === local.id);
        if (now?.status === 'sending') this.messages = mergeMessages(this.messages, [{ ...now, uploads: [...uploads] }]);
      });
    }
  }

  async #post(local: ChatMessage): Promise<void> {
    try {
      if (local.uploads?.length) await this.#upload(local);
      const stored = await pb.collection('messages').create<MessageRecord>({
        conversation: this.id,
        body: local.body,
        client_key: local.client_key,
        with_files: !!local.uploads?.length
      });
      this.messages = mergeMessages(this.messages, [stored]);
      this.#askDeliveries([stored]);
      this.#refused = false;
    } catch (err) {
      // the stored copy may have arrived meanwhile (the answer was lost, not the message)
      if (!this.messages.some((m) => m.id === local.id)) return;
      if (isRefusal(err)) this.#stopTyping();
      const read = err instanceof UploadError ? { fields: {} as Record<string, string>, message: err.message } : readError(err, { fields: ['body', 'files'] });
      const now = this.messages.find((m) => m.id === local.id) ?? local;
      const failed: ChatMessage = { ...now, status: 'failed', error: read.fields.body || read.fields.files || read.message };
      this.messages = mergeMessages(this.messages, [failed]);
    }
  }

  async #loadLatest(): Promise<void> {
    try {
      const [page, , record] = await Promise.all([
        pb.collection('messages').getList<MessageRecord>(1, PAGE, {
          filter: pb.filter('conversation = {:c}', { c: this.id }),
          sort: '-created,-id',
          skipTotal: true
        }),
        this.#loadParticipants(),
        inbox.find(this.id) ? null : pb.collection('conversations').getOne<ConversationRecord>(this.id)
      ]);
      if (record) this.#fetched = record;
      // keeps what arrived by event meanwhile, and unsent messages
      this.messages = mergeMessages(this.messages, page.items.reverse());
      this.#noteSynced(page.items);
      this.hasOlder = page.items.length === PAGE;
      const read = this.mine?.last_read_at ?? '';
      this.unreadAfter = this.needsRead ? read : null;
      this.error = '';
      const oldest = oldestStored(this.messages);
      if (oldest && this.#everTexted) {
        void this.#loadDeliveries('message.created >= {:from}', { from: oldest.created });
      }
    } catch (err) {
      const problem = readError(err);
      this.error = problem.status === 404 ? 'This conversation does not exist or you are not in it.' : problem.message;
    } finally {
      this.loading = false;
    }
  }

  async #loadParticipants(): Promise<void> {
    this.participants = await pb.collection('participants').getFullList<ParticipantRecord>({
      batch: 500,
      filter: pb.filter('conversation = {:c}', { c: this.id })
    });
  }

  async #catchUp(): Promise<void> {
    if (!inbox.find(this.id) && !this.#fetched) return;
    if (!inbox.find(this.id)) {
      // removed while we were away
      this.closed = true;
      return;
    }
    const newest = this.#synced;
    if (!newest) return this.#loadLatest();
    try {
      const [page] = await Promise.all([
        pb.collection('messages').getList<MessageRecord>(1, CATCH_UP, {
          filter: pb.filter('conversation = {:c} && (created > {:t} || (created = {:t} && id > {:id}))', {
            c: this.id,
            t: newest.created,
            id: newest.id
          }),
          sort: 'created,id',
          skipTotal: true
        }),
        this.#loadParticipants()
      ]);
      if (page.items.length === CATCH_UP) {
        // too much happened: start again from the newest page
        this.messages = this.messages.filter((m) => m.status);
        this.#synced = null;
        return this.#loadLatest();
      }
      this.#broken = false;
      this.#arrived(page.items);
      // statuses that moved while the stream was down, and the deliveries of what was missed
      const since = newestUpdate(this.deliveries) || oldestStored(this.messages)?.created;
      if (since && this.#everTexted) {
        await this.#loadDeliveries('updated >= {:since}', { since });
      }
      // the stream has been back since before this page was asked for: together they leave no gap
      this.#noteSynced(this.messages.filter((m) => !m.status));
    } catch {
      // keep the gap open and try again shortly
      this.#broken = true;
      clearTimeout(this.#retryTimer);
      this.#retryTimer = setTimeout(() => void this.#catchUp(), RETRY_MS);
    }
  }

  #apply(e: InboxEvent): void {
    switch (e.type) {
      case 'message':
        if (e.message.conversation === this.id) {
          this.#arrived([e.message]);
          this.#askDeliveries([e.message]);
        }
        break;
      case 'delivery':
        if (e.conversation === this.id) this.deliveries = mergeDeliveries(this.deliveries, [e.delivery]);
        break;
      case 'participant':
        if (e.participant.conversation === this.id) this.#upsertParticipant(e.participant);
        break;
      case 'conversation':
        // someone joined: their read position is new
        if (e.conversation.id === this.id && e.conversation.members.some((m) => !this.participants.some((p) => p.user === m && !p.left_at))) {
          void this.#loadParticipants().catch(() => {});
        }
        break;
      case 'removed':
        if (e.conversation === this.id) this.closed = true;
        break;
    }
  }

  #arrived(items: readonly MessageRecord[]): void {
    if (items.length === 0) return;
    // between a drop and the catch-up, events do not continue the unbroken run
    if (inbox.connected && !this.#broken) this.#noteSynced(items);
    const before = this.messages;
    this.messages = mergeMessages(before, items);
    if (this.messages === before) return;
    const fromOthers = items.filter((m) => m.author !== this.me);
    if (fromOthers.length === 0 || this.reading) return;
    // arrived while you were scrolled up or away: mark where the new ones start
    if (this.unreadAfter === null) this.unreadAfter = this.mine?.last_read_at ?? '';
    if (!this.#atBottom) this.newBelow += fromOthers.length;
  }

  #noteSynced(items: readonly MessageRecord[]): void {
    for (const m of items) if (!this.#synced || compareMessages(m, this.#synced) > 0) this.#synced = m;
  }

  #upsertParticipant(p: ParticipantRecord): void {
    const i = this.participants.findIndex((x) => x.id === p.id);
    if (i < 0) this.participants = [...this.participants, p];
    else if (
      this.participants[i].last_read_at !== p.last_read_at ||
      this.participants[i].left_at !== p.left_at ||
      this.participants[i].opted_out_at !== p.opted_out_at
    ) {
      this.participants = this.participants.with(i, p);
    }
  }

  // `leaving`: the view is closing with a read pending, scheduled while you were reading
  async #markRead(leaving = false): Promise<void> {
    // up to what was loaded without gaps: never past a message a dropped stream missed
    const newest = this.#synced;
    const mine = this.mine;
    if ((!leaving && !this.reading) || !this.needsRead || !newest || !mine || newest.created <= mine.last_read_at) return;
    // show it as read at once; the participant event confirms
    this.#upsertParticipant({ ...mine, last_read_at: newest.created });
    inbox.markRead(this.id);
    try {
      const saved = await pb.collection('participants').update<ParticipantRecord>(mine.id, { last_read_at: newest.created });
      this.#upsertParticipant(saved);
    } catch {
      // the next message or reconnect tries again
      this.#upsertParticipant(mine);
    }
  }
}
