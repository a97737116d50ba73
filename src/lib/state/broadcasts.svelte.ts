// Broadcasts: the list (newest first), one broadcast followed live (its
// counters move the progress bar), its per-recipient report, and the
// sender's actions (preview, start, pause, resume, cancel). Also the shared
// phonebook's contact groups. docs/broadcasts.md.
import { pb } from '$lib/api/pb';
import { readError } from '$lib/api/errors';
import { LiveList } from './live-list.svelte';
import type { BroadcastPreview, ReportRow } from '$lib/domain/broadcasts';

export type { BroadcastPreview };

/** BroadcastRecord is a `broadcasts` record. */
export interface BroadcastRecord {
  id: string;
  name: string;
  our_number: string;
  body: string;
  source: 'group' | 'list';
  group: string;
  group_name: string;
  cap: number;
  status: 'running' | 'paused' | 'cancelled' | 'done';
  total: number;
  sent: number;
  skipped: number;
  failed: number;
  cancelled: number;
  segments: number;
  encoding: string;
  created_by: string;
  created_by_name: string;
  last_error: string;
  finished_at: string;
  created: string;
  updated: string;
}

/** ContactGroupRecord is a `contact_groups` record: a named group of the shared phonebook. */
export interface ContactGroupRecord {
  id: string;
  name: string;
  created: string;
  updated: string;
}

/** BroadcastInput is what the sender chooses. */
export interface BroadcastInput {
  name: string;
  our_number: string;
  source: 'group' | 'list';
  group: string;
  numbers: string[];
  body: string;
  cap: number | '';
}

const newestFirst = (list: BroadcastRecord[]) => list.sort((a, b) => b.created.localeCompare(a.created)).slice(0, 200);
const byName = (list: ContactGroupRecord[]) => list.sort((a, b) => a.name.localeCompare(b.name));

/** BroadcastsState holds the newest broadcasts the user may see, as `.current`. */
export class BroadcastsState extends LiveList<BroadcastRecord> {
  constructor() {
    super({ collection: 'broadcasts', order: newestFirst, limit: { count: 200, sort: '-created' } });
  }
}

/** ContactGroupsState holds the shared phonebook's groups by name, as `.current`. */
export class ContactGroupsState extends LiveList<ContactGroupRecord> {
  constructor() {
    super({ collection: 'contact_groups', order: byName });
  }

  /** add makes a group (phonebook editors only). */
  async add(name: string): Promise<ContactGroupRecord> {
    const r = await pb.collection('contact_groups').create<ContactGroupRecord>({ name });
    this.upsert(r);
    return r;
  }

  /** remove deletes a group; its contacts stay. */
  async remove(id: string): Promise<void> {
    await pb.collection('contact_groups').delete(id);
    this.drop(id);
  }
}

/** previewBroadcast asks the server what a broadcast would do. */
export function previewBroadcast(input: BroadcastInput): Promise<BroadcastPreview> {
  return pb.send<BroadcastPreview>('/api/broadcasts/preview', { method: 'POST', body: input });
}

/** startBroadcast starts a broadcast; it runs at once. */
export async function startBroadcast(input: BroadcastInput): Promise<BroadcastRecord> {
  const r = await pb.send<{ broadcast: BroadcastRecord }>('/api/broadcasts', { method: 'POST', body: input });
  return r.broadcast;
}

/** BroadcastState follows one broadcast and its report. */
export class BroadcastState {
  /** the broadcast; null until loaded */
  current = $state<BroadcastRecord | null>(null);
  /** a page of recipients with their deliveries */
  report = $state<ReportRow[]>([]);
  /** recipients per state (queued, sent, delivered, failed, skipped_opted_out, pending, cancelled) */
  counts = $state<Record<string, number>>({});
  error = $state('');
  readonly id: string;
  #reportAt = 0;
  #reportTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(id: string) {
    this.id = id;
  }

  /** start follows the record's changes (its counters), then loads it; returns the stop function. */
  start(): () => void {
    let stopped = false;
    let unsubscribe: (() => Promise<void>) | null = null;
    pb.collection('broadcasts')
      .subscribe<BroadcastRecord>(this.id, (e) => {
        if (!this.current || e.record.updated >= this.current.updated) this.current = e.record;
        this.refreshReport();
      })
      .then((fn) => {
        if (stopped) fn().catch(() => {});
        else unsubscribe = fn;
      })
      .catch(() => {})
      .finally(() => {
        if (!stopped) void this.load();
      });
    // deliveries move after the last release (sent → delivered): look again now and then
    const timer = setInterval(() => this.refreshReport(), 3000);
    return () => {
      stopped = true;
      clearInterval(timer);
      clearTimeout(this.#reportTimer);
      unsubscribe?.().catch(() => {});
    };
  }

  async load(): Promise<void> {
    try {
      this.current = await pb.collection('broadcasts').getOne<BroadcastRecord>(this.id);
      this.error = '';
    } catch (err) {
      this.error = readError(err).message;
    }
    await this.loadReport();
  }

  /** refreshReport reloads the report at most once a second. */
  refreshReport(): void {
    if (this.#reportTimer) return;
    const wait = Math.max(0, 1000 - (Date.now() - this.#reportAt));
    this.#reportTimer = setTimeout(() => {
      this.#reportTimer = undefined;
      void this.loadReport();
    }, wait);
  }

  async loadReport(): Promise<void> {
    this.#reportAt = Date.now();
    try {
      const r = await pb.send<{ items: ReportRow[]; counts: Record<string, number> }>(`/api/broadcasts/${this.id}/report`, { query: { perPage: 500 } });
      this.report = r.items;
      this.counts = r.counts;
    } catch (err) {
      this.error = readError(err).message;
    }
  }

  /** act pauses, resumes or cancels the broadcast. */
  async act(op: 'pause' | 'resume' | 'cancel'): Promise<void> {
    const r = await pb.send<BroadcastRecord>(`/api/broadcasts/${this.id}/${op}`, { method: 'POST' });
    if (!this.current || r.updated >= this.current.updated) this.current = r;
    this.refreshReport();
  }
}
