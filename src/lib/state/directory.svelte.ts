// The extension directory as the chat uses it: names for authors, titles of
// direct chats and read receipts, and the colleagues the pickers offer.
// Loaded once and again after a reconnect, or when a name is missing (a
// colleague added since), instead of a realtime subscription of its own.
import { pb } from '$lib/api/pb';
import type { Colleague } from '$lib/directory';

const RELOAD_GAP_MS = 10_000;

/** DirectoryState holds every user by id as `.current`. */
export class DirectoryState {
  /** users by id */
  current = $state.raw<ReadonlyMap<string, Colleague>>(new Map());
  /** true once the first load succeeded */
  loaded = $state(false);

  #lastLoad = 0;
  #loading: Promise<void> | null = null;

  /** load fetches the directory (a reload while one is running joins it). */
  load(): Promise<void> {
    this.#loading ??= (async () => {
      try {
        const list = await pb
          .collection('users')
          .getFullList<Colleague>({ batch: 500, sort: 'name', fields: 'id,name,extension,disabled' });
        this.current = new Map(list.map((u) => [u.id, u]));
        this.loaded = true;
      } finally {
        this.#lastLoad = Date.now();
        this.#loading = null;
      }
    })();
    return this.#loading;
  }

  /** nameOf is a user's name; '' when unknown (and then a reload is asked for). */
  nameOf(id: string): string {
    const user = this.current.get(id);
    if (user) return user.name;
    if (id && this.loaded && Date.now() - this.#lastLoad > RELOAD_GAP_MS) void this.load().catch(() => {});
    return '';
  }

  /** reset forgets everything (sign-out). */
  reset(): void {
    this.current = new Map();
    this.loaded = false;
  }
}
