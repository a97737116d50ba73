// The sidebar's search: what is typed and the filters, asked of
// GET /api/search as you type (debounced, the newest answer wins), with
// older messages on demand. The server decides what the caller may read.
import { pb } from '$lib/api/pb';
import { readError } from '$lib/api/errors';
import { parseQuery, type SearchTerm } from '$lib/domain/search';
import { toServerTime } from '$lib/chat/time';

const DEBOUNCE_MS = 200;

/** SearchFilters narrow a search; '' for any. */
export interface SearchFilters {
  /** a conversation id */
  conversation: string;
  /** a user id or a phone (E.164) */
  from: string;
  kind: '' | 'sms' | 'chat';
  /** local calendar days, as an <input type="date"> gives them ("2026-12-01") */
  since: string;
  until: string;
}

/** MessageHit is a message the search found. */
export interface MessageHit {
  id: string;
  conversation: string;
  author: string;
  author_phone: string;
  body: string;
  created: string;
}

/** ConversationHit is a conversation the search found by title, member or number. */
export interface ConversationHit {
  id: string;
  kind: 'direct' | 'group' | 'sms';
  title: string;
  last_message_at: string;
  matched: 'title' | 'member' | 'phone';
}

interface Answer {
  conversations: ConversationHit[];
  messages: MessageHit[];
  next: number;
}

export const NO_FILTERS: SearchFilters = { conversation: '', from: '', kind: '', since: '', until: '' };

/** localDayStart is the instant a local calendar day ("2026-12-01") starts, in the server's format; `next` the day after. */
function localDayStart(day: string, next = false): string {
  const [y, m, d] = day.split('-').map(Number);
  return toServerTime(new Date(y, m - 1, d + (next ? 1 : 0)));
}

/** SearchState is one search box. */
export class SearchState {
  query = $state('');
  filters = $state<SearchFilters>({ ...NO_FILTERS });
  conversations = $state.raw<readonly ConversationHit[]>([]);
  messages = $state.raw<readonly MessageHit[]>([]);
  /** the terms the results are highlighted with */
  terms = $state.raw<readonly SearchTerm[]>([]);
  /** cursor for older messages; 0 when there are none */
  next = $state(0);
  loading = $state(false);
  loadingMore = $state(false);
  error = $state('');
  /** a search has answered for the current query and filters */
  done = $state(false);

  /** active: something is typed, so the results replace the conversation list */
  active = $derived(this.query.trim() !== '');
  filtered = $derived(Object.values(this.filters).some((v) => v !== ''));

  #timer: ReturnType<typeof setTimeout> | undefined;
  #asked = 0;

  /** set changes the query or filters and searches after a short pause. */
  set(query: string, filters: SearchFilters = this.filters): void {
    this.query = query;
    this.filters = filters;
    clearTimeout(this.#timer);
    this.done = false;
    if (!this.active) {
      this.#asked++;
      this.#clear();
      return;
    }
    const parsed = parseQuery(query);
    if (!parsed.ok) {
      this.#asked++;
      this.#clear();
      this.error = parsed.error;
      this.done = true;
      return;
    }
    this.loading = true;
    this.#timer = setTimeout(() => void this.#run(), DEBOUNCE_MS);
  }

  /** clear empties the box and the filters. */
  clear(): void {
    this.set('', { ...NO_FILTERS });
  }

  /** more fetches the next older messages. */
  async more(): Promise<void> {
    if (!this.next || this.loadingMore) return;
    const asked = this.#asked;
    this.loadingMore = true;
    try {
      const answer = await this.#ask(this.next);
      if (asked !== this.#asked) return;
      this.messages = [...this.messages, ...answer.messages];
      this.next = answer.next;
    } catch (err) {
      if (asked === this.#asked) this.error = readError(err).message;
    } finally {
      this.loadingMore = false;
    }
  }

  async #run(): Promise<void> {
    const asked = ++this.#asked;
    const parsed = parseQuery(this.query);
    try {
      const answer = await this.#ask(0);
      if (asked !== this.#asked) return;
      this.conversations = answer.conversations;
      this.messages = answer.messages;
      this.next = answer.next;
      this.terms = parsed.ok ? parsed.terms : [];
      this.error = '';
    } catch (err) {
      if (asked !== this.#asked) return;
      this.#clear();
      this.error = readError(err).message;
    } finally {
      if (asked === this.#asked) {
        this.loading = false;
        this.done = true;
      }
    }
  }

  #ask(before: number): Promise<Answer> {
    const f = this.filters;
    const params = new URLSearchParams({ q: this.query });
    if (f.conversation) params.set('conversation', f.conversation);
    if (f.from) params.set('from', f.from);
    if (f.kind) params.set('kind', f.kind);
    if (f.since) params.set('since', localDayStart(f.since).replace(' ', 'T'));
    if (f.until) params.set('until', localDayStart(f.until, true).replace(' ', 'T'));
    if (before) params.set('before', String(before));
    return pb.send<Answer>(`/api/search?${params}`, { requestKey: null });
  }

  #clear(): void {
    this.conversations = [];
    this.messages = [];
    this.terms = [];
    this.next = 0;
    this.loading = false;
    this.error = '';
  }
}
