// An in-memory Store with the same semantics as the PocketBase one, for the
// pipeline tests and the benchmarks: records, realtime events (async, like
// SSE), inbound texts stored once per dedupe_key, and switches that make it
// fail like a PocketBase that is down or refuses a request.

import { EventEmitter } from 'node:events';
import {
  StoreError,
  parsePbDate,
  pbDate,
  type Delivery,
  type DeliveryPatch,
  type DeliveryStatus,
  type InboundText,
  type LinkConfig,
  type LinkStatePatch,
  type Store,
  type StoreEvents,
  type DueQuery,
  type Waiting,
} from './store.js';

/** LINK_DEFAULTS fills the fields a test does not care about. */
export const LINK_CONFIG_DEFAULTS: Omit<LinkConfig, 'id' | 'name' | 'host' | 'port'> = {
  tls: false,
  tls_ca: '',
  tls_servername: '',
  system_id: 'bridge',
  password: 'secret',
  system_type: '',
  bind: 'trx',
  window: 10,
  max_per_second: 0,
  enabled: true,
  ref16: false,
  id_format: 'auto',
  default_alphabet: 'GSM7',
  source_ton: -1,
  source_npi: -1,
  dest_ton: -1,
  dest_npi: -1,
  validity_s: 0,
  kind: 'carrier',
  enquire_link_s: 0,
  enquire_link_timeout_s: 0,
  inactivity_s: 0,
  reconnect_min_s: 0,
  reconnect_max_s: 0,
  receipts: '',
  receipt_timeout_s: 0,
  rate_unit: 'second',
};

// the deliveries a receipt can still change, as PocketBaseStore narrows its search
const ACTIVE: ReadonlySet<DeliveryStatus> = new Set(['queued', 'sending', 'sent']);

/** MemoryStore keeps everything in maps. Events: 'delivery-updated' (delivery) after each update. */
export class MemoryStore extends EventEmitter implements Store {
  readonly deliveries = new Map<string, Delivery>();
  readonly links = new Map<string, LinkConfig & LinkStatePatch>();
  readonly numbers = new Map<string, string | null>();
  readonly inbound: InboundText[] = [];
  readonly linkStates: (LinkStatePatch & { id: string })[] = [];
  /** failInbound makes storeInbound fail: 'temporary' like a 5xx or network error, 'permanent' like a 4xx. */
  failInbound: 'temporary' | 'permanent' | null = null;
  /** failUpdates makes updateDelivery fail temporarily (PocketBase down). */
  failUpdates = false;
  /** beforeUpdate, when set, is awaited at the start of each updateDelivery (a slow write). */
  beforeUpdate: ((id: string, patch: DeliveryPatch) => Promise<void>) | null = null;
  /** failReads makes list and find calls fail temporarily. */
  failReads = false;
  /** calls counts store calls by method, so tests can assert how much traffic a flow costs. */
  readonly calls: Record<string, number> = {};
  private subscribers = new Set<StoreEvents>();
  private seq = 0;
  private readonly epoch = Date.now();
  private lastStamp = 0;

  constructor() {
    super();
    this.setMaxListeners(100);
  }

  /** addLink adds (or replaces) a link row and tells subscribers. */
  addLink(cfg: Partial<LinkConfig> & Pick<LinkConfig, 'id' | 'host' | 'port'>): LinkConfig {
    const existed = this.links.has(cfg.id);
    const full: LinkConfig = { name: cfg.id, ...LINK_CONFIG_DEFAULTS, ...cfg };
    this.links.set(cfg.id, full);
    this.emitEvent((e) => e.onLink?.(existed ? 'update' : 'create', { ...full }));
    return full;
  }

  /** removeLink deletes a link row and tells subscribers. */
  removeLink(id: string): void {
    const cfg = this.links.get(id);
    if (!cfg) return;
    this.links.delete(id);
    this.emitEvent((e) => e.onLink?.('delete', { ...cfg }));
  }

  /** setNumber makes e164 a business number sending through linkId (null: none). */
  setNumber(e164: string, linkId: string | null): void {
    this.numbers.set(e164, linkId);
    this.emitEvent((e) => e.onNumber?.('update', e164));
  }

  /** queue creates a queued delivery, as the message hook does, and tells subscribers. */
  queue(d: Partial<Delivery> & Pick<Delivery, 'to' | 'from' | 'body'>): Delivery {
    ++this.seq;
    const id = d.id ?? `d${String(this.seq).padStart(14, '0')}`;
    const full: Delivery = {
      id,
      status: 'queued',
      segments: 1,
      encoding: '',
      smsc_ids: [],
      attempts: 0,
      next_attempt_at: '',
      error: '',
      error_code: '',
      sent_at: '',
      done_at: '',
      // the number's link, as the message hook sets it
      link: this.numbers.get(d.from) ?? '',
      // unique and increasing, as the sweep's cursor needs
      created: pbDate(this.epoch + this.seq),
      queued_at: pbDate(this.epoch + this.seq),
      updated: this.stamp(),
      ...d,
    };
    this.deliveries.set(id, full);
    this.emitEvent((e) => e.onDelivery?.('create', structuredClone(full)));
    return full;
  }

  /** waitForDelivery resolves when delivery id matches pred (checked now and after each update), or rejects after timeoutMs. */
  waitForDelivery(id: string, pred: (d: Delivery) => boolean, timeoutMs = 3000): Promise<Delivery> {
    const now = this.deliveries.get(id);
    if (now && pred(now)) return Promise.resolve(structuredClone(now));
    return new Promise((resolve, reject) => {
      const on = (d: Delivery) => {
        if (d.id !== id || !pred(d)) return;
        clearTimeout(timer);
        this.off('delivery-updated', on);
        resolve(structuredClone(d));
      };
      const timer = setTimeout(() => {
        this.off('delivery-updated', on);
        reject(new Error(`delivery ${id} did not reach the expected state in ${timeoutMs} ms: ${JSON.stringify(this.deliveries.get(id))}`));
      }, timeoutMs);
      this.on('delivery-updated', on);
    });
  }

  /** waitForInbound resolves when n texts have been stored. */
  waitForInbound(n: number, timeoutMs = 3000): Promise<InboundText[]> {
    if (this.inbound.length >= n) return Promise.resolve(this.inbound.slice());
    return new Promise((resolve, reject) => {
      const on = () => {
        if (this.inbound.length < n) return;
        clearTimeout(timer);
        this.off('inbound', on);
        resolve(this.inbound.slice());
      };
      const timer = setTimeout(() => {
        this.off('inbound', on);
        reject(new Error(`only ${this.inbound.length} of ${n} inbound texts within ${timeoutMs} ms`));
      }, timeoutMs);
      this.on('inbound', on);
    });
  }

  async listLinks(): Promise<LinkConfig[]> {
    this.count('listLinks');
    this.checkReads();
    return [...this.links.values()].map((l) => ({ ...l }));
  }

  async findNumberLink(e164: string): Promise<string | null | undefined> {
    this.count('findNumberLink');
    this.checkReads();
    return this.numbers.has(e164) ? (this.numbers.get(e164) ?? null) : undefined;
  }

  async listDueDeliveries(limit: number, q: DueQuery = {}): Promise<Delivery[]> {
    this.count('listDueDeliveries');
    this.checkReads();
    const now = Date.now();
    return this.byQueue(
      (d) =>
        d.status === 'queued' &&
        (parsePbDate(d.next_attempt_at) ?? 0) <= now &&
        (q.link === undefined || d.link === q.link) &&
        (!q.from || queuedAt(d) >= q.from),
    )
      .slice(0, limit)
      .map((d) => structuredClone(d));
  }

  async countWaiting(linkId: string): Promise<Waiting> {
    this.count('countWaiting');
    this.checkReads();
    const rows = this.byQueue((d) => d.status === 'queued' && d.link === linkId);
    return { count: rows.length, oldest: rows[0] ? queuedAt(rows[0]) : '' };
  }

  async listWaitingBefore(linkId: string, before: string, limit: number): Promise<Delivery[]> {
    this.count('listWaitingBefore');
    this.checkReads();
    return this.byQueue((d) => d.status === 'queued' && d.link === linkId && queuedAt(d) < before)
      .slice(0, limit)
      .map((d) => structuredClone(d));
  }

  async listAwaitingReport(linkId: string, before: string, limit: number): Promise<Delivery[]> {
    this.count('listAwaitingReport');
    this.checkReads();
    return [...this.deliveries.values()]
      .filter((d) => d.status === 'sent' && d.report === 'awaited' && d.link === linkId && (d.sent_at ?? '') < before)
      .sort((a, b) => a.sent_at.localeCompare(b.sent_at))
      .slice(0, limit)
      .map((d) => structuredClone(d));
  }

  // the deliveries that match, in queue order (queued_at, then created)
  private byQueue(pred: (d: Delivery) => boolean): Delivery[] {
    return [...this.deliveries.values()].filter(pred).sort((a, b) => queuedAt(a).localeCompare(queuedAt(b)) || (a.created ?? '').localeCompare(b.created ?? ''));
  }

  async listDeliveriesByStatus(status: DeliveryStatus, limit: number): Promise<Delivery[]> {
    this.count('listDeliveriesByStatus');
    this.checkReads();
    return [...this.deliveries.values()]
      .filter((d) => d.status === status)
      .slice(0, limit)
      .map((d) => structuredClone(d));
  }

  async getDelivery(id: string): Promise<Delivery | null> {
    this.count('getDelivery');
    this.checkReads();
    const d = this.deliveries.get(id);
    return d ? structuredClone(d) : null;
  }

  async findDeliveriesBySmscIds(linkId: string, forms: string[]): Promise<Delivery[]> {
    this.count('findDeliveriesBySmscIds');
    this.checkReads();
    const lower = forms.map((f) => f.toLowerCase()).filter((f) => f !== '');
    return [...this.deliveries.values()]
      .filter((d) => d.link === linkId && ACTIVE.has(d.status) && d.smsc_ids.some((id) => lower.some((f) => id.toLowerCase().includes(f))))
      .map((d) => structuredClone(d));
  }

  async updateDelivery(id: string, patch: DeliveryPatch): Promise<string> {
    this.count('updateDelivery');
    await Promise.resolve();
    if (this.beforeUpdate) await this.beforeUpdate(id, patch);
    if (this.failUpdates) throw new StoreError('PocketBase is unreachable', true);
    const d = this.deliveries.get(id);
    if (!d) throw new StoreError(`delivery ${id} not found`, false, 404);
    Object.assign(d, structuredClone(patch), { updated: this.stamp() });
    this.emit('delivery-updated', d);
    this.emitEvent((e) => e.onDelivery?.('update', structuredClone(d)));
    return d.updated!;
  }

  // PocketBase stamps `updated` in milliseconds; here every write gets a later stamp than the last
  private stamp(): string {
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    return pbDate(this.lastStamp);
  }

  async updateLink(id: string, patch: LinkStatePatch): Promise<void> {
    this.count('updateLink');
    const l = this.links.get(id);
    if (!l) throw new StoreError(`link ${id} not found`, false, 404);
    Object.assign(l, patch);
    this.linkStates.push({ id, ...patch });
    this.emit('link-state', id, patch);
    this.emitEvent((e) => e.onLink?.('update', { ...l }));
  }

  async storeInbound(text: InboundText): Promise<{ duplicate: boolean }> {
    this.count('storeInbound');
    await Promise.resolve();
    if (this.failInbound === 'temporary') throw new StoreError('PocketBase answered 503', true, 503);
    if (this.failInbound === 'permanent') throw new StoreError('PocketBase answered 400', false, 400);
    if (this.inbound.some((t) => t.dedupe_key === text.dedupe_key)) return { duplicate: true };
    this.inbound.push(structuredClone(text));
    this.emit('inbound', text);
    return { duplicate: false };
  }

  async subscribe(events: StoreEvents): Promise<() => Promise<void>> {
    this.subscribers.add(events);
    return async () => {
      this.subscribers.delete(events);
    };
  }

  /** replay sends subscribers an event carrying a row as it was earlier (a late or repeated realtime event). */
  replay(action: 'create' | 'update', d: Delivery): void {
    const copy = structuredClone(d);
    this.emitEvent((e) => e.onDelivery?.(action, copy));
  }

  /** reconnect simulates the realtime stream coming back after a gap. */
  reconnect(): void {
    this.emitEvent((e) => e.onReconnect?.());
  }

  private emitEvent(fn: (e: StoreEvents) => void): void {
    // realtime events arrive later than the write, never inside it
    setImmediate(() => {
      for (const s of this.subscribers) fn(s);
    });
  }

  private count(method: string): void {
    this.calls[method] = (this.calls[method] ?? 0) + 1;
  }

  private checkReads(): void {
    if (this.failReads) throw new StoreError('PocketBase is unreachable', true);
  }
}

function queuedAt(d: Delivery): string {
  return d.queued_at || d.created || '';
}

export { pbDate };
