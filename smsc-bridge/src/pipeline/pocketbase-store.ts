// The Store over the PocketBase JS SDK, logged in as a `services` account:
// it lists and reads smsc_links, numbers and deliveries, writes only link
// state and delivery progress, hands inbound texts to POST /api/sms/inbound,
// and turns realtime events into StoreEvents.

import PocketBase, { ClientResponseError, type RecordModel } from 'pocketbase';
import type { Logger } from '../log.js';
import {
  StoreError,
  type AttemptEntry,
  type Delivery,
  type DeliveryPatch,
  type DeliveryStatus,
  type InboundText,
  type LinkConfig,
  type LinkStatePatch,
  type RecordAction,
  type Store,
  type StoreEvents,
  type DueQuery,
  type Waiting,
} from './store.js';
import { linkKind } from '../../../src/lib/domain/smsc-link.js';

/** QUEUED_TOPIC is the realtime topic on which PocketBase's hooks publish deliveries created or updated as `queued` (pb_hooks/lib/realtime.ts). */
export const QUEUED_TOPIC = 'queued_deliveries';

/** ConnectOptions say where PocketBase is and which service account to use. */
export interface PocketBaseConnect {
  url: string;
  email: string;
  password: string;
  log: Logger;
}

function num(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** toLinkConfig reads an smsc_links record; unset options get their documented defaults. */
export function toLinkConfig(r: RecordModel): LinkConfig {
  const idFormat = str(r.id_format);
  const alphabet = str(r.default_alphabet);
  // a number field that was never set reads 0 in PocketBase; for TON/NPI 0 is a real value,
  // so "detect" is -1 and only an explicit value overrides it
  return {
    id: r.id,
    name: str(r.name) || r.id,
    host: str(r.host),
    port: num(r.port, 2775),
    tls: r.tls === true,
    tls_ca: str(r.tls_ca),
    tls_servername: str(r.tls_servername),
    system_id: str(r.system_id),
    password: str(r.password),
    system_type: str(r.system_type),
    bind: r.bind === 'tx_rx' ? 'tx_rx' : 'trx',
    window: Math.max(1, num(r.window, 10) || 10),
    max_per_second: Math.max(0, num(r.max_per_second, 0)),
    enabled: r.enabled === true,
    ref16: r.ref16 === true,
    id_format: idFormat === 'raw' || idFormat === 'hex' || idFormat === 'decimal' ? idFormat : 'auto',
    default_alphabet: alphabet === 'IA5' || alphabet === 'LATIN1' ? alphabet : 'GSM7',
    source_ton: num(r.source_ton, -1),
    source_npi: num(r.source_npi, -1),
    dest_ton: num(r.dest_ton, -1),
    dest_npi: num(r.dest_npi, -1),
    validity_s: Math.max(0, num(r.validity_s, 0)),
    kind: linkKind(r.kind),
    enquire_link_s: Math.max(0, num(r.enquire_link_s, 0)),
    enquire_link_timeout_s: Math.max(0, num(r.enquire_link_timeout_s, 0)),
    inactivity_s: Math.max(0, num(r.inactivity_s, 0)),
    reconnect_min_s: Math.max(0, num(r.reconnect_min_s, 0)),
    reconnect_max_s: Math.max(0, num(r.reconnect_max_s, 0)),
    receipts: r.receipts === 'expected' || r.receipts === 'none' ? r.receipts : '',
    receipt_timeout_s: Math.max(0, num(r.receipt_timeout_s, 0)),
    rate_unit: r.rate_unit === 'minute' ? 'minute' : 'second',
    down_since: str(r.down_since),
    waiting: num(r.waiting, 0),
    waiting_since: str(r.waiting_since),
  };
}

/** toDelivery reads a deliveries record. */
export function toDelivery(r: RecordModel): Delivery {
  const ids = Array.isArray(r.smsc_ids) ? r.smsc_ids.map((x: unknown) => (typeof x === 'string' ? x : String(x ?? ''))) : [];
  const encoding = str(r.encoding);
  return {
    id: r.id,
    to: str(r.to),
    from: str(r.from),
    body: str(r.body),
    status: (str(r.status) || 'queued') as DeliveryStatus,
    segments: num(r.segments, 0),
    encoding: encoding === 'GSM-7' || encoding === 'UCS-2' ? encoding : '',
    smsc_ids: ids,
    attempts: num(r.attempts, 0),
    next_attempt_at: str(r.next_attempt_at),
    error: str(r.error),
    error_code: str(r.error_code),
    link: str(r.link),
    sent_at: str(r.sent_at),
    done_at: str(r.done_at),
    attempt_log: Array.isArray(r.attempt_log) ? (r.attempt_log as AttemptEntry[]) : [],
    maybe_duplicate: r.maybe_duplicate === true,
    report: r.report === 'awaited' || r.report === 'not_expected' || r.report === 'missing' ? r.report : '',
    queued_at: str(r.queued_at),
    created: str(r.created),
    updated: str(r.updated),
  };
}

/**
 * storeError maps an SDK error: network failures, 401 (the token is being
 * renewed), 429 and 5xx are temporary; other 4xx are answers that a retry
 * would not change.
 */
export function storeError(err: unknown, what: string): StoreError {
  if (err instanceof ClientResponseError) {
    const status = err.status;
    const temporary = status === 0 || status === 401 || status === 429 || status >= 500;
    return new StoreError(`${what}: ${status ? `PocketBase answered ${status}` : 'PocketBase unreachable'}: ${err.message}`, temporary, status, { cause: err });
  }
  return new StoreError(`${what}: ${(err as Error)?.message ?? String(err)}`, true, undefined, { cause: err });
}

interface PendingUpdate {
  id: string;
  patch: DeliveryPatch;
  resolve: (updated: string) => void;
  reject: (err: unknown) => void;
}

/** BATCH_SIZE is the most delivery updates sent in one /api/batch request. */
const BATCH_SIZE = 50;
/** BATCHES_IN_FLIGHT bounds the concurrent batch requests. */
const BATCHES_IN_FLIGHT = 4;

/**
 * PocketBaseStore implements Store with the SDK. Requests are never
 * auto-cancelled (the SDK cancels a request when another with the same key
 * starts, which concurrent updates would do all the time).
 */
export class PocketBaseStore implements Store {
  readonly pb: PocketBase;
  private readonly log: Logger;
  /** batching is null until the first try tells whether PocketBase accepts /api/batch. */
  private batching: boolean | null = null;
  private pending: PendingUpdate[] = [];
  private batchesInFlight = 0;
  private flushScheduled = false;
  private batchSize = BATCH_SIZE;
  /** requests counts the HTTP requests sent to PocketBase by "METHOD /path" (no query), so tests and benchmarks can hold them to a budget. */
  readonly requests = new Map<string, number>();

  constructor(pb: PocketBase, log: Logger) {
    this.pb = pb;
    this.log = log;
    pb.autoCancellation(false);
    const before = pb.beforeSend;
    pb.beforeSend = (url, options) => {
      const key = `${options.method ?? 'GET'} ${new URL(url, 'http://x').pathname}`;
      this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
      return before ? before(url, options) : { url, options };
    };
  }

  /** batchingEnabled says whether delivery updates go through /api/batch (null: not tried yet). */
  get batchingEnabled(): boolean | null {
    return this.batching;
  }

  /**
   * connect installs EventSource for Node, logs in as the service account
   * (re-authenticating by itself before the token expires) and returns the store.
   */
  static async connect(opts: PocketBaseConnect): Promise<PocketBaseStore> {
    const g = globalThis as { EventSource?: unknown };
    if (!g.EventSource) g.EventSource = (await import('eventsource')).EventSource;
    const pb = new PocketBase(opts.url);
    const store = new PocketBaseStore(pb, opts.log);
    try {
      await pb.collection('services').authWithPassword(opts.email, opts.password, { autoRefreshThreshold: 30 * 60 });
    } catch (err) {
      throw storeError(err, `logging in to ${opts.url} as ${opts.email}`);
    }
    return store;
  }

  async listLinks(): Promise<LinkConfig[]> {
    try {
      const rows = await this.pb.collection('smsc_links').getFullList({ batch: 200 });
      return rows.map(toLinkConfig);
    } catch (err) {
      throw storeError(err, 'listing smsc_links');
    }
  }

  async findNumberLink(e164: string): Promise<string | null | undefined> {
    try {
      const r = await this.pb.collection('numbers').getFirstListItem(this.pb.filter('e164 = {:e}', { e: e164 }));
      return str(r.smsc_link) || null;
    } catch (err) {
      if (err instanceof ClientResponseError && err.status === 404) return undefined;
      throw storeError(err, `looking up number ${e164}`);
    }
  }

  async listDueDeliveries(limit: number, q: DueQuery = {}): Promise<Delivery[]> {
    // status, link, queued_at: one index range (idx_deliveries_link_queue), read in queue order
    let filter = 'status = "queued" && (next_attempt_at = "" || next_attempt_at <= @now)';
    // texts without a link: PocketBase turns `link = ""` into `(link = '' OR link IS NULL)`, which
    // SQLite cannot seek, so it would scan every queued row of every link; record ids are
    // [a-z0-9], so `link < "0"` is the same rows as one range of the index
    if (q.link === '') filter += ' && link < "0"';
    else if (q.link !== undefined) filter += ' && link = {:link}';
    if (q.from) filter += ' && queued_at >= {:from}';
    try {
      const page = await this.pb.collection('deliveries').getList(1, limit, {
        filter: this.pb.filter(filter, { link: q.link ?? '', from: q.from ?? '' }),
        sort: 'queued_at,created',
        skipTotal: true,
      });
      return page.items.map(toDelivery);
    } catch (err) {
      throw storeError(err, 'listing due deliveries');
    }
  }

  async countWaiting(linkId: string): Promise<Waiting> {
    try {
      // perPage 1 with the total: a count over the index and its first entry
      const page = await this.pb.collection('deliveries').getList(1, 1, {
        filter: this.pb.filter('status = "queued" && link = {:link}', { link: linkId }),
        sort: 'queued_at',
        fields: 'queued_at,created',
      });
      const first = page.items[0];
      return { count: page.totalItems, oldest: first ? str(first.queued_at) || str(first.created) : '' };
    } catch (err) {
      throw storeError(err, 'counting waiting deliveries');
    }
  }

  async listWaitingBefore(linkId: string, before: string, limit: number): Promise<Delivery[]> {
    try {
      const page = await this.pb.collection('deliveries').getList(1, limit, {
        filter: this.pb.filter('status = "queued" && link = {:link} && queued_at < {:before}', { link: linkId, before }),
        sort: 'queued_at',
        skipTotal: true,
      });
      return page.items.map(toDelivery);
    } catch (err) {
      throw storeError(err, 'listing expired deliveries');
    }
  }

  async listAwaitingReport(linkId: string, before: string, limit: number): Promise<Delivery[]> {
    try {
      // status, report, link, sent_at: one range of idx_deliveries_report
      const page = await this.pb.collection('deliveries').getList(1, limit, {
        filter: this.pb.filter('status = "sent" && report = "awaited" && link = {:link} && sent_at < {:before}', { link: linkId, before }),
        sort: 'sent_at',
        skipTotal: true,
      });
      return page.items.map(toDelivery);
    } catch (err) {
      throw storeError(err, 'listing deliveries awaiting a receipt');
    }
  }

  async listDeliveriesByStatus(status: DeliveryStatus, limit: number): Promise<Delivery[]> {
    try {
      const page = await this.pb.collection('deliveries').getList(1, limit, {
        filter: this.pb.filter('status = {:s}', { s: status }),
        sort: 'created',
        skipTotal: true,
      });
      return page.items.map(toDelivery);
    } catch (err) {
      throw storeError(err, `listing ${status} deliveries`);
    }
  }

  async getDelivery(id: string): Promise<Delivery | null> {
    try {
      return toDelivery(await this.pb.collection('deliveries').getOne(id));
    } catch (err) {
      if (err instanceof ClientResponseError && err.status === 404) return null;
      throw storeError(err, `reading delivery ${id}`);
    }
  }

  async findDeliveriesBySmscIds(linkId: string, forms: string[]): Promise<Delivery[]> {
    const use = forms.filter((f) => f !== '').slice(0, 8);
    if (use.length === 0) return [];
    const params: Record<string, string> = { l: linkId };
    // the json column is matched as text (LIKE %form%): a superset the tracker narrows down
    const ors = use.map((f, i) => {
      params[`f${i}`] = f;
      return `smsc_ids ~ {:f${i}}`;
    });
    try {
      const page = await this.pb.collection('deliveries').getList(1, 20, {
        // only deliveries a receipt can still change: the status index keeps this off the finished rows
        filter: this.pb.filter(`(status = "sent" || status = "sending" || status = "queued") && link = {:l} && (${ors.join(' || ')})`, params),
        skipTotal: true,
      });
      return page.items.map(toDelivery);
    } catch (err) {
      throw storeError(err, 'finding a delivery by SMSC id');
    }
  }

  /**
   * updateDelivery writes a delivery's progress. Updates that arrive
   * together go out as one /api/batch request (one transaction, up to
   * BATCH_SIZE), which roughly doubles what PocketBase absorbs; when batch
   * requests are off in PocketBase's settings, or a batch fails as a whole,
   * each update is sent on its own so every caller gets its own answer.
   */
  updateDelivery(id: string, patch: DeliveryPatch): Promise<string> {
    if (this.batching === false) return this.updateOne(id, patch);
    return new Promise((resolve, reject) => {
      this.pending.push({ id, patch, resolve, reject });
      this.scheduleFlush();
    });
  }

  private async updateOne(id: string, patch: DeliveryPatch): Promise<string> {
    try {
      const r = await this.pb.collection('deliveries').update(id, patch, { fields: 'updated' });
      return str(r.updated);
    } catch (err) {
      throw storeError(err, `updating delivery ${id}`);
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.pending.length === 0 || this.batchesInFlight >= BATCHES_IN_FLIGHT) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const items = this.pending.splice(0, this.batching === null ? 2 : this.batchSize);
    if (items.length === 0) return;
    this.batchesInFlight++;
    this.scheduleFlush();
    try {
      if (items.length === 1 || this.batching === false) {
        await Promise.all(items.map((u) => this.updateOne(u.id, u.patch).then(u.resolve, u.reject)));
        return;
      }
      const batch = this.pb.createBatch();
      for (const u of items) batch.collection('deliveries').update(u.id, u.patch, { fields: 'updated' });
      try {
        const results = await batch.send();
        if (this.batching === null) this.log.info('PocketBase accepts batch requests; delivery updates are batched');
        this.batching = true;
        items.forEach((u, i) => u.resolve(str((results[i]?.body as { updated?: unknown } | undefined)?.updated)));
      } catch (err) {
        const status = err instanceof ClientResponseError ? err.status : 0;
        if (this.batching === null && status === 403) {
          this.batching = false;
          this.log.info('batch requests are off in PocketBase settings; delivery updates go one by one');
        }
        // more requests than settings.batch.maxRequests allows: send smaller batches from now on
        // (a failed item answers requests: {"<index>": …}; the size check answers requests: {code: "validation_length_…"})
        const data = err instanceof ClientResponseError ? (err.response?.data as { requests?: { code?: unknown } } | undefined) : undefined;
        const tooMany = typeof data?.requests?.code === 'string' && data.requests.code.includes('length');
        if (status === 400 && tooMany && this.batchSize > 2) {
          this.batchSize = Math.max(2, Math.floor(items.length / 2));
          this.log.info({ batchSize: this.batchSize }, 'PocketBase refused the batch size; sending smaller batches');
        }
        // a batch is one transaction: on any failure, let each update speak for itself
        await Promise.all(items.map((u) => this.updateOne(u.id, u.patch).then(u.resolve, u.reject)));
      }
    } finally {
      this.batchesInFlight--;
      this.scheduleFlush();
    }
  }

  async updateLink(id: string, patch: LinkStatePatch): Promise<void> {
    try {
      await this.pb.collection('smsc_links').update(id, patch);
    } catch (err) {
      throw storeError(err, `updating link ${id}`);
    }
  }

  async storeInbound(text: InboundText): Promise<{ duplicate: boolean }> {
    try {
      const res = (await this.pb.send('/api/sms/inbound', { method: 'POST', body: text })) as { duplicate?: boolean };
      return { duplicate: res?.duplicate === true };
    } catch (err) {
      throw storeError(err, 'storing an inbound text');
    }
  }

  async subscribe(events: StoreEvents): Promise<() => Promise<void>> {
    const act = (a: string): RecordAction => (a === 'create' || a === 'delete' ? a : 'update');
    const safe = (what: string, fn: () => void) => {
      try {
        fn();
      } catch (err) {
        this.log.error({ err, what }, 'realtime handler failed');
      }
    };
    let connects = 0;
    // PB_CONNECT first, so its first event is the initial connection and later ones are reconnects
    const unsubs = [
      await this.pb.realtime.subscribe('PB_CONNECT', () => {
        if (++connects > 1) safe('PB_CONNECT', () => events.onReconnect?.());
      }),
    ];
    unsubs.push(
      // only queued rows matter: the hooks publish those on a topic of their own
      // (pb_hooks/lib/realtime.ts, QUEUED), which costs PocketBase no query per write
      await this.pb.realtime.subscribe(QUEUED_TOPIC, (e: { action?: string; record?: RecordModel }) => {
        if (e?.record) safe('deliveries', () => events.onDelivery?.(act(str(e.action)), toDelivery(e.record!)));
      }),
      await this.pb.collection('smsc_links').subscribe('*', (e) => safe('smsc_links', () => events.onLink?.(act(e.action), toLinkConfig(e.record)))),
      await this.pb.collection('numbers').subscribe('*', (e) => safe('numbers', () => events.onNumber?.(act(e.action), str(e.record.e164)))),
    );
    return async () => {
      for (const u of unsubs) await u().catch(() => {});
    };
  }
}
