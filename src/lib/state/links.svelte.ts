// The SMSC links (SMPP connections), kept current by realtime events so the
// live state the bridge writes shows as it changes. Admins only: the records
// hold passwords, and members cannot list them at all.
import { pb } from '$lib/api/pb';
import { LiveList } from './live-list.svelte';
import type { LinkConfig, SmscLinkRecord } from '$lib/api/types';
import { pickConfig } from '$lib/admin/links';

/** LinksState holds every link, sorted by name, as `.current`. */
export class LinksState extends LiveList<SmscLinkRecord> {
  constructor() {
    super({ collection: 'smsc_links', order: sortLinks });
  }

  /** byId finds a loaded link. */
  byId(id: string): SmscLinkRecord | undefined {
    return id ? this.current.find((l) => l.id === id) : undefined;
  }

  /** create adds a link; throws the SDK error on failure. */
  async create(config: LinkConfig): Promise<SmscLinkRecord> {
    const record = await pb.collection('smsc_links').create<SmscLinkRecord>(pickConfig(config));
    this.upsert(record);
    return record;
  }

  /** update saves a link's configuration; the bridge reconnects with it. */
  async update(id: string, config: LinkConfig): Promise<SmscLinkRecord> {
    const record = await pb.collection('smsc_links').update<SmscLinkRecord>(id, pickConfig(config));
    this.upsert(record);
    return record;
  }

  /** setEnabled switches a link on (the bridge binds) or off (the bridge unbinds). */
  async setEnabled(id: string, enabled: boolean): Promise<SmscLinkRecord> {
    const record = await pb.collection('smsc_links').update<SmscLinkRecord>(id, { enabled });
    this.upsert(record);
    return record;
  }

  /**
   * test asks the bridge to bind and unbind with these settings (not saved)
   * and answers what happened in a sentence; id fills in a saved link's
   * password when the form leaves it empty.
   */
  async test(config: LinkConfig, id?: string): Promise<{ ok: boolean; stage: string; message: string }> {
    return pb.send('/api/smsc_links/test', { method: 'POST', body: { ...pickConfig(config), id: id ?? '' }, requestKey: null });
  }

  /** cancelWaiting ends every text waiting for a link as failed ("Cancelled by <you>"); resolves with how many. */
  async cancelWaiting(id: string): Promise<number> {
    const res = await pb.send<{ cancelled: number }>(`/api/sms/links/${id}/cancel-waiting`, { method: 'POST', requestKey: null });
    return res.cancelled;
  }

  /** remove deletes a link; numbers that sent through it are left without one. */
  async remove(id: string): Promise<void> {
    await pb.collection('smsc_links').delete(id);
    this.current = this.current.filter((l) => l.id !== id);
  }
}

function sortLinks(links: SmscLinkRecord[]): SmscLinkRecord[] {
  return links.sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }));
}
