// Contact search as a phone field uses it: what is typed goes to
// GET /api/contacts/search (phonebook, directory, recent correspondents)
// after a short pause; a newer query's answer always wins over an older one.
import { pb } from '$lib/api/pb';
import type { SearchResult } from '$lib/api/types';

const EMPTY: SearchResult = { phonebook: [], directory: [], recent: [] };
const PAUSE_MS = 60;

/** ContactSearch holds the latest answer for the query as `.current`. */
export class ContactSearch {
  /** the answer to the latest query */
  current = $state.raw<SearchResult>(EMPTY);
  /** the query that answer is for */
  answered = $state('');
  /** true while a query is on its way */
  busy = $state(false);

  #seq = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #limit: number;

  constructor(limit = 6) {
    this.#limit = limit;
  }

  /** search asks for a query after a short pause in typing. */
  search(q: string): void {
    clearTimeout(this.#timer);
    this.busy = true;
    this.#timer = setTimeout(() => void this.#run(q), PAUSE_MS);
  }

  async #run(q: string): Promise<void> {
    const seq = ++this.#seq;
    try {
      const result = await pb.send<SearchResult>(`/api/contacts/search?q=${encodeURIComponent(q)}&limit=${this.#limit}`, {});
      if (seq !== this.#seq) return;
      this.current = result;
      this.answered = q;
    } catch {
      if (seq === this.#seq) this.current = EMPTY;
    } finally {
      if (seq === this.#seq) this.busy = false;
    }
  }
}
