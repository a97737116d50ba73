// The audit log for the admin page: the newest entries first, a page at a
// time, optionally one action only, with new entries added live (the list
// rule is admin-only and cheap). Entries are never edited or deleted.
import { pb } from '$lib/api/pb';
import { readError } from '$lib/api/errors';
import type { AuditEntry } from '$lib/api/types';

/** AUDIT_PAGE is how many entries one load brings. */
export const AUDIT_PAGE = 100;

/** AuditState holds the loaded entries, newest first, as `.current`. */
export class AuditState {
  /** the loaded entries, newest first */
  current = $state<AuditEntry[]>([]);
  /** true while a load is under way */
  loading = $state(true);
  /** why the log could not be loaded; empty when it could */
  error = $state('');
  /** whether older entries remain to load */
  hasMore = $state(false);
  /** the action shown; empty for all */
  action = $state('');

  #page = 1;

  /** start loads the newest page and follows new entries; returns the stop function. */
  start(): () => void {
    let stopped = false;
    let unsubscribe: (() => Promise<void>) | null = null;
    pb.collection('audit_log')
      .subscribe<AuditEntry>('*', (e) => {
        if (e.action !== 'create' || (this.action && e.record.action !== this.action)) return;
        if (!this.current.some((r) => r.id === e.record.id)) this.current = [e.record, ...this.current];
      })
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

  /** show switches the list to one action ('' for all) and reloads it. */
  show(action: string): Promise<void> {
    this.action = action;
    return this.load();
  }

  /** load fetches the newest page again. */
  async load(): Promise<void> {
    this.#page = 1;
    this.loading = true;
    await this.#fetch(false);
  }

  /** loadMore appends the next older page. */
  async loadMore(): Promise<void> {
    this.#page += 1;
    this.loading = true;
    await this.#fetch(true);
  }

  async #fetch(append: boolean): Promise<void> {
    const action = this.action;
    try {
      const page = await pb.collection('audit_log').getList<AuditEntry>(this.#page, AUDIT_PAGE, {
        sort: '-created',
        filter: action ? pb.filter('action = {:action}', { action }) : '',
      });
      // a newer request for another action has replaced this one
      if (action !== this.action) return;
      const known = new Set(append ? this.current.map((r) => r.id) : []);
      const fresh = page.items.filter((r) => !known.has(r.id));
      this.current = append ? [...this.current, ...fresh] : fresh;
      this.hasMore = page.page < page.totalPages;
      this.error = '';
    } catch (err) {
      this.error = readError(err).message;
    } finally {
      this.loading = false;
    }
  }
}
