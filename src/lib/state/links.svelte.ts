// The SMSC links (SMPP connections), kept current by realtime events so the
// live state the bridge writes shows as it changes. Admins only: the records
// hold passwords, and members cannot list them at all.
import type { RecordSubscription } from 'pocketbase';
import { pb } from '$lib/api/pb';
import type { LinkConfig, SmscLinkRecord } from '$lib/api/types';
import { readError } from '$lib/api/errors';
import { pickConfig } from '$lib/admin/links';

/** LinksState holds every link, sorted by name, as `.current`. */
export class LinksState {
  /** all links, sorted by name */
  current = $state<SmscLinkRecord[]>([]);
  /** true until the first load has finished */
  loading = $state(true);
  /** why the list could not be loaded; empty when it could */
  error = $state('');

  /** start loads the list and follows realtime changes to it; returns the stop function. */
  start(): () => void {
    let stopped = false;
    let unsubscribe: (() => Promise<void>) | null = null;
    pb.collection('smsc_links')
      .subscribe<SmscLinkRecord>('*', (e) => this.#apply(e))
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

  /** load fetches every link. */
  async load(): Promise<void> {
    try {
      const list = await pb.collection('smsc_links').getFullList<SmscLinkRecord>({ batch: 500 });
      this.current = sortLinks(list);
      this.error = '';
    } catch (err) {
      this.error = readError(err).message;
    } finally {
      this.loading = false;
    }
  }

  /** byId finds a loaded link. */
  byId(id: string): SmscLinkRecord | undefined {
    return id ? this.current.find((l) => l.id === id) : undefined;
  }

  /** create adds a link; throws the SDK error on failure. */
  async create(config: LinkConfig): Promise<SmscLinkRecord> {
    const record = await pb.collection('smsc_links').create<SmscLinkRecord>(pickConfig(config));
    this.#upsert(record);
    return record;
  }

  /** update saves a link's configuration; the bridge reconnects with it. */
  async update(id: string, config: LinkConfig): Promise<SmscLinkRecord> {
    const record = await pb.collection('smsc_links').update<SmscLinkRecord>(id, pickConfig(config));
    this.#upsert(record);
    return record;
  }

  /** setEnabled switches a link on (the bridge binds) or off (the bridge unbinds). */
  async setEnabled(id: string, enabled: boolean): Promise<SmscLinkRecord> {
    const record = await pb.collection('smsc_links').update<SmscLinkRecord>(id, { enabled });
    this.#upsert(record);
    return record;
  }

  /** remove deletes a link; numbers that sent through it are left without one. */
  async remove(id: string): Promise<void> {
    await pb.collection('smsc_links').delete(id);
    this.current = this.current.filter((l) => l.id !== id);
  }

  #apply(e: RecordSubscription<SmscLinkRecord>): void {
    if (e.action === 'delete') {
      this.current = this.current.filter((l) => l.id !== e.record.id);
    } else {
      this.#upsert(e.record);
    }
  }

  #upsert(record: SmscLinkRecord): void {
    const others = this.current.filter((l) => l.id !== record.id);
    this.current = sortLinks([...others, record]);
  }
}

function sortLinks(links: SmscLinkRecord[]): SmscLinkRecord[] {
  return links.sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }));
}
