// The bridge: keeps one SmppLink + LinkSender per smsc_links row in step
// with PocketBase (realtime, no restart needed), claims queued deliveries
// (realtime and a periodic sweep) and routes each to the link of its `from`
// number, hands deliver_sm to the inbound pipeline, writes link state, and
// at start replays its journal: outcomes PocketBase does not have yet,
// deliveries a crash left `sending`, receipts and held parts of long texts
// not stored yet. docs/bridge.md is the map.

import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { LINK_DEFAULTS, SmppLink, type LinkOptions, type LinkState } from '../session/link.js';
import type { BackoffPolicy } from '../session/backoff.js';
import type { SessionTimers } from '../session/session.js';
import { InboundPipeline, type InboundOptions } from './inbound.js';
import { Journal, type DeliveryTrail } from './journal.js';
import { LinkSender, MAYBE_NOT_SENT, UNKNOWN_AFTER_RESTART, expiredReason, withAttempt, type Lane, type OutboundPolicy } from './outbound.js';
import { linkTimings, receiptTimeoutMs, receiptsExpected, validityMs, type LinkTimings } from '../../../src/lib/domain/smsc-link.js';
import { ReceiptTracker, type TrackerOptions } from './receipts.js';
import {
  parsePbDate,
  pbDate,
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

/** BridgeOptions tune the bridge; everything has a production default. */
export interface BridgeOptions {
  /** sweepMs is the period of the queued-deliveries sweep. */
  sweepMs?: number;
  /** sweepBatch is how many due deliveries one sweep reads. */
  sweepBatch?: number;
  /** numberCacheMs is how long a number → link lookup is trusted without a realtime event. */
  numberCacheMs?: number;
  /** waitingRefreshMs: a link's `waiting` count is read and written at most this often (default 3 s). */
  waitingRefreshMs?: number;
  /** blockedCheckMs: how often the count of a link that is down is read when no event says it changed (default 30 s). */
  blockedCheckMs?: number;
  outbound?: Partial<OutboundPolicy>;
  inbound?: InboundOptions;
  receipts?: TrackerOptions;
  /** link overrides the timings of every link (tests make them fast). */
  link?: Partial<Pick<LinkOptions, 'connectTimeoutMs' | 'keepAliveMs' | 'reconnect' | 'authPauseMs' | 'alreadyBoundMs' | 'stableMs'>> & {
    timers?: Partial<SessionTimers>;
  };
  /** healthMs: how often a link's health figures (enquire_link round trip, reconnects in the last hour) are written when they changed (default 30 s). */
  healthMs?: number;
  /** reportCheckMs: how often `sent` texts are checked for an overdue receipt (default 60 s). */
  reportCheckMs?: number;
  /** drainMs bounds the wait for in-flight submits at shutdown; unbindTimeoutMs the wait for unbind_resp. */
  drainMs?: number;
  unbindTimeoutMs?: number;
  /** journal records progress durably (main.ts opens the file in the data dir); default: in memory. */
  journal?: Journal;
}

interface Runtime {
  config: LinkConfig;
  link: SmppLink | null;
  sender: LinkSender;
  stateWrite: Promise<void>;
  lastWritten?: string;
  /** downSince: when the link stopped being bound ('' while bound), as written on the row */
  downSince: string;
  waitTimer?: NodeJS.Timeout;
  expiryTimer?: NodeJS.Timeout;
  waitCheckedAt: number;
  waitingWritten?: string;
  /** timingsKey: the keepalive and backoff timings the link runs with, as a key */
  timingsKey?: string;
  /** healthWritten: the health figures last written, as a key */
  healthWritten?: string;
}

/** MAX_WRITTEN bounds the `updated` stamps the bridge remembers. */
const MAX_WRITTEN = 100_000;

// fields whose change needs a new connection; the rest apply live
const CONNECTION_FIELDS: (keyof LinkConfig)[] = ['host', 'port', 'tls', 'tls_ca', 'tls_servername', 'system_id', 'password', 'system_type', 'bind', 'enabled'];

// StampedStore passes everything through and reports the `updated` stamp of each delivery write
class StampedStore implements Store {
  constructor(
    private readonly inner: Store,
    private readonly onWrite: (id: string, updated: string) => void,
  ) {}

  listLinks = () => this.inner.listLinks();
  findNumberLink = (e164: string) => this.inner.findNumberLink(e164);
  listDueDeliveries = (limit: number, q?: DueQuery) => this.inner.listDueDeliveries(limit, q);
  countWaiting = (linkId: string) => this.inner.countWaiting(linkId);
  listWaitingBefore = (linkId: string, before: string, limit: number) => this.inner.listWaitingBefore(linkId, before, limit);
  listAwaitingReport = (linkId: string, before: string, limit: number) => this.inner.listAwaitingReport(linkId, before, limit);
  listDeliveriesByStatus = (status: DeliveryStatus, limit: number) => this.inner.listDeliveriesByStatus(status, limit);
  getDelivery = (id: string) => this.inner.getDelivery(id);
  findDeliveriesBySmscIds = (linkId: string, forms: string[]) => this.inner.findDeliveriesBySmscIds(linkId, forms);
  updateLink = (id: string, patch: LinkStatePatch) => this.inner.updateLink(id, patch);
  storeInbound = (text: InboundText) => this.inner.storeInbound(text);
  subscribe = (events: StoreEvents) => this.inner.subscribe(events);

  async updateDelivery(id: string, patch: DeliveryPatch): Promise<string> {
    const updated = await this.inner.updateDelivery(id, patch);
    this.onWrite(id, updated);
    return updated;
  }
}

/** Health is what /healthz reports. */
export interface Health {
  ok: boolean;
  started: boolean;
  store: 'ok' | 'unreachable';
  links: {
    id: string;
    name: string;
    state: LinkState;
    last_error: string;
    window_in_use: number;
    queued: number;
    in_progress: number;
    bound_since: string;
    enquire_rtt_ms: number;
    reconnects_1h: number;
  }[];
  pending_receipts: number;
  partial_texts: number;
  /** journal_open counts deliveries, receipts and text parts the journal holds for PocketBase */
  journal_open?: number;
}

/**
 * Bridge wires PocketBase to the SMSC links. start() resolves once the
 * links are loaded and the first sweep ran; stop() shuts down gracefully.
 */
export class Bridge {
  readonly receipts: ReceiptTracker;
  readonly inbound: InboundPipeline;
  readonly journal: Journal;
  private readonly store: Store;
  private readonly log: Logger;
  private readonly metrics?: Metrics;
  private readonly opts: BridgeOptions;
  private readonly runtimes = new Map<string, Runtime>();
  private readonly claimed = new Set<string>();
  private readonly written = new Map<string, string>();
  private readonly writtenAt = new Map<string, number>();
  private readonly numberCache = new Map<string, { link: Promise<string | null | undefined>; at: number }>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  private unsubscribe?: () => Promise<void>;
  private sweepTimer?: NodeJS.Timeout;
  private healthTimer?: NodeJS.Timeout;
  private reportTimer?: NodeJS.Timeout;
  private sweeping = false;
  private sweepAgain = false;
  private moreDue = false;
  private pullTimer?: NodeJS.Timeout;
  private lastPull = 0;
  // per lane (a link id, '' for texts without one): the queued_at where the last full page ended
  private readonly cursors = new Map<string, string>();
  private started = false;
  private stopping = false;
  private storeOk = true;
  private linkOps: Promise<void> = Promise.resolve();

  constructor(deps: { store: Store; log: Logger; metrics?: Metrics }, opts: BridgeOptions = {}) {
    // every delivery write, whoever makes it, leaves its `updated` stamp here
    this.store = new StampedStore(deps.store, (id, updated) => this.noteWrite(id, updated));
    this.log = deps.log;
    this.metrics = deps.metrics;
    this.opts = opts;
    this.journal = opts.journal ?? Journal.memory();
    const journal = this.journal;
    this.receipts = new ReceiptTracker(
      { store: this.store, log: this.log, metrics: this.metrics, onSettled: (keys) => keys.forEach((k) => journal.note({ t: 'rs', k })) },
      opts.receipts,
    );
    this.inbound = new InboundPipeline({ store: this.store, receipts: this.receipts, journal, log: this.log, metrics: this.metrics }, opts.inbound);
    this.metrics?.addGauge('smsc_bridge_binds', 'binds up per link and bind type (1 bound, 0 not)', () =>
      [...this.runtimes.values()].flatMap((rt) =>
        (rt.link?.bindsUp() ?? []).map((b) => ({ labels: { link: rt.config.name, bind: b.type }, value: b.bound ? 1 : 0 })),
      ),
    );
    this.metrics?.addGauge('smsc_bridge_window_in_use', 'submit_sm awaiting a response per link', () =>
      [...this.runtimes.values()].map((rt) => ({ labels: { link: rt.config.name }, value: rt.link?.windowInUse ?? 0 })),
    );
    this.metrics?.addGauge('smsc_bridge_window_size', 'configured window per link', () =>
      [...this.runtimes.values()].map((rt) => ({ labels: { link: rt.config.name }, value: rt.config.window })),
    );
    this.metrics?.addGauge('smsc_bridge_queued', 'deliveries claimed and waiting for their link', () =>
      [...this.runtimes.values()].map((rt) => ({ labels: { link: rt.config.name }, value: rt.sender.queued })),
    );
    this.metrics?.addGauge('smsc_bridge_link_up', 'link state: 1 when bound', () =>
      [...this.runtimes.values()].map((rt) => ({ labels: { link: rt.config.name }, value: rt.link?.state === 'bound' ? 1 : 0 })),
    );
  }

  /**
   * start resolves crashed `sending` deliveries, loads the links, subscribes
   * to changes and runs the first sweep. Throws when PocketBase cannot be
   * read (the caller retries).
   */
  async start(): Promise<void> {
    await this.recover();
    this.unsubscribe = await this.store.subscribe({
      onDelivery: (action, d) => this.onDeliveryEvent(action, d),
      onLink: (action, cfg) => this.enqueueLinkOp(() => (action === 'delete' ? this.removeLink(cfg.id) : this.applyLink(cfg))),
      // a number's e164 or link may have changed: forget every lookup
      onNumber: () => this.numberCache.clear(),
      onReconnect: () => {
        this.log.info('realtime reconnected; reloading links and sweeping');
        this.numberCache.clear();
        void this.reloadLinks().then(() => this.sweep());
      },
    });
    await this.reloadLinks();
    this.started = true;
    // acknowledged before the last stop, not stored yet: finish them now
    this.inbound.restoreParts(this.journal.heldParts());
    for (const r of this.journal.openReceipts()) void this.inbound.replayReceipt(r);
    await this.sweep();
    this.sweepTimer = setInterval(() => {
      void this.sweep();
      this.checkBlocked();
    }, this.opts.sweepMs ?? 5_000);
    this.healthTimer = setInterval(() => {
      for (const rt of this.runtimes.values()) this.writeHealth(rt);
    }, this.opts.healthMs ?? 30_000);
    this.reportTimer = setInterval(() => void this.checkReports(), this.opts.reportCheckMs ?? 60_000);
  }

  /**
   * stop shuts down: no more claims, in-progress deliveries get drainMs to
   * finish, every link drains its window, unbinds and waits for unbind_resp,
   * partly received long texts are stored as incomplete, and each link's
   * state is written as down.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.sweepTimer);
    clearInterval(this.healthTimer);
    clearInterval(this.reportTimer);
    clearTimeout(this.pullTimer);
    for (const t of this.retryTimers.values()) clearTimeout(t);
    this.retryTimers.clear();
    await this.unsubscribe?.().catch(() => {});
    await this.linkOps;
    const drainMs = this.opts.drainMs ?? 10_000;
    const unbindTimeoutMs = this.opts.unbindTimeoutMs ?? 5_000;
    const rts = [...this.runtimes.values()];
    for (const rt of rts) this.clearWaitTimers(rt);
    await Promise.all(rts.map((rt) => rt.sender.stop(drainMs)));
    await Promise.all(rts.map((rt) => rt.link?.stop({ drainMs, unbindTimeoutMs })));
    await this.inbound.close(Math.min(drainMs, 5_000));
    await Promise.all(
      rts.map(async (rt) => {
        await rt.stateWrite;
        if (rt.config.enabled) await this.writeState(rt, 'down', 'The bridge is stopped').catch(() => {});
      }),
    );
  }

  /** health reports the bridge and its links. */
  health(): Health {
    const links = [...this.runtimes.values()].map((rt) => ({
      id: rt.config.id,
      name: rt.config.name,
      state: rt.link?.state ?? ('disabled' as LinkState),
      last_error: rt.link?.lastError ?? '',
      window_in_use: rt.link?.windowInUse ?? 0,
      queued: rt.sender.queued,
      in_progress: rt.sender.inProgress,
      bound_since: rt.link?.boundSince ? pbDate(rt.link.boundSince) : '',
      enquire_rtt_ms: rt.link?.enquireRttMs ?? -1,
      reconnects_1h: rt.link?.reconnectsWithin() ?? 0,
    }));
    return {
      ok: this.started && !this.stopping && this.storeOk,
      started: this.started,
      store: this.storeOk ? 'ok' : 'unreachable',
      links,
      pending_receipts: this.receipts.size,
      partial_texts: this.inbound.pendingGroups,
      journal_open: this.journal.openCount,
    };
  }

  /** link returns the live SmppLink of a link id (tests and health). */
  link(id: string): SmppLink | null {
    return this.runtimes.get(id)?.link ?? null;
  }

  /** sender returns the LinkSender of a link id. */
  sender(id: string): LinkSender | undefined {
    return this.runtimes.get(id)?.sender;
  }

  /** whenLinksSettled resolves after every pending link change has been applied. */
  whenLinksSettled(): Promise<void> {
    return this.linkOps;
  }

  /**
   * sweep reads due queued deliveries, oldest queued first, and claims them:
   * one indexed query per link that is bound and one for texts without a
   * link; a link that is down is not read at all (its texts wait in
   * PocketBase, and only their count is read: noteWaiting). Runs one at a
   * time; a call during a sweep makes it run once more afterwards, from the
   * top. fromCursor continues each lane where its last full page ended
   * instead (the older rows are ours already): the backlog pull uses it.
   */
  async sweep(fromCursor = false): Promise<void> {
    if (this.stopping) return;
    if (this.sweeping) {
      this.sweepAgain = true;
      return;
    }
    this.sweeping = true;
    const batch = this.opts.sweepBatch ?? 500;
    let pull = fromCursor;
    try {
      for (;;) {
        this.sweepAgain = false;
        let claimedNow = 0;
        let full = false;
        for (const lane of this.openLanes()) {
          const from = pull ? this.cursors.get(lane) : undefined;
          if (pull && from === undefined) continue;
          const due = await this.store.listDueDeliveries(batch, { link: lane, from });
          this.storeOk = true;
          const last = due[due.length - 1];
          if (due.length === batch && last) {
            full = true;
            this.cursors.set(lane, last.queued_at || last.created || '');
          } else this.cursors.delete(lane);
          for (const d of due) if (!this.claimed.has(d.id) && (await this.consider(d, 'backlog'))) claimedNow++;
          if (this.stopping) break;
        }
        this.moreDue = this.cursors.size > 0;
        if (this.stopping) break;
        if (this.sweepAgain) pull = false;
        // a full page that gave new work: read on from where it ended while claims are few
        else if (full && claimedNow > 0 && this.claimed.size < batch) pull = true;
        else break;
      }
    } catch (err) {
      this.storeOk = false;
      this.log.warn({ err: (err as Error).message }, 'sweep failed');
    } finally {
      this.sweeping = false;
    }
  }

  // the lanes a sweep reads: texts without a link (they fail at once), and each bound link's
  private openLanes(): string[] {
    const lanes = [''];
    for (const rt of this.runtimes.values()) if (rt.link?.ready) lanes.push(rt.config.id);
    return lanes;
  }

  /**
   * recover settles what the last run left open, before any new work: each
   * delivery the journal has a trail for gets the outcome it decided, or
   * the one its parts prove (all accepted: sent; a part written without an
   * answer: unknown; otherwise queued again for the parts not accepted);
   * a delivery still `sending` without a trail was never written to the
   * socket in that attempt and is queued again. Without a journal history
   * (its first start) such a row is unknown. docs/bridge.md, "After a crash".
   */
  private async recover(): Promise<void> {
    for (const t of this.journal.openTrails()) {
      const row = await this.store.getDelivery(t.d);
      // PocketBase has moved on (it stored our last write before the crash): nothing to replay
      if (row && row.status === 'sending' && row.attempts === t.a) {
        const patch = t.outcome ?? resolveTrail(t, row);
        this.log.warn({ delivery: t.d, status: patch.status, smsc_ids: patch.smsc_ids }, 'storing what the journal knows of a delivery the last run left open');
        await this.store.updateDelivery(t.d, patch);
      }
      this.journal.note({ t: 's', d: t.d });
    }
    for (;;) {
      const stuck = await this.store.listDeliveriesByStatus('sending', 200);
      if (stuck.length === 0) return;
      for (const d of stuck) {
        if (this.journal.fresh) {
          this.log.warn({ delivery: d.id, smsc_ids: d.smsc_ids }, 'delivery was sending when the bridge stopped, before the journal existed; marking it unknown');
          await this.store.updateDelivery(d.id, { status: 'unknown', error: UNKNOWN_AFTER_RESTART, error_code: 'unknown_after_restart', done_at: pbDate() });
        } else {
          // the journal records every part before it is written: none was, so none reached the SMSC
          this.log.info({ delivery: d.id }, 'delivery was taken but not written to the SMSC before the stop; sending it again');
          await this.store.updateDelivery(d.id, { status: 'queued', next_attempt_at: '', error: '', error_code: '' });
        }
      }
    }
  }

  private onDeliveryEvent(action: RecordAction, d: Delivery): void {
    // before the links are loaded a delivery could not be routed; the first sweep picks it up
    if (!this.started || this.stopping || action === 'delete' || d.status !== 'queued' || this.claimed.has(d.id)) return;
    void this.consider(d, 'live');
  }

  // consider claims a due queued delivery for its link's sender (or fails it when it has no
  // link); resolves true when the delivery was taken in hand
  private async consider(d: Delivery, lane: Lane): Promise<boolean> {
    if (this.stopping || d.status !== 'queued' || this.claimed.has(d.id)) return false;
    const due = parsePbDate(d.next_attempt_at) ?? 0;
    const wait = due - Date.now();
    if (wait > 0) {
      this.scheduleRetry(d.id, wait);
      return false;
    }
    // a copy older than our own last write of this delivery (a sweep read before we wrote, a
    // late event) says `queued` about a row that has moved on: acting on it would send twice
    const ours = parsePbDate(this.written.get(d.id) ?? '');
    const theirs = parsePbDate(d.updated ?? '');
    if (ours !== undefined && theirs !== undefined && theirs < ours) return false;
    this.claimed.add(d.id);
    let release = true;
    try {
      const linkId = await this.numberLink(d.from);
      if (linkId === undefined || linkId === null) {
        const error = linkId === undefined ? `${d.from} is not one of our business numbers` : `No SMSC link is set for ${d.from}`;
        await this.failDelivery(d, error, 'no_link');
        return true;
      }
      // a link created a moment ago may still be on its way in through realtime
      if (!this.runtimes.has(linkId)) await this.linkOps;
      const rt = this.runtimes.get(linkId);
      if (!rt) {
        await this.failDelivery(d, `The SMSC link for ${d.from} does not exist`, 'no_link');
        return true;
      }
      const expired = neverSent(d) && Date.now() - queuedAt(d) >= validityMs(rt.config);
      if (!rt.link?.ready) {
        // a link down is not an attempt: the text stays queued, untouched, and only the count is read
        this.noteWaiting(rt);
        if (!expired) return false;
      }
      if (expired) {
        await this.expire(rt, d);
        return true;
      }
      if (!rt.sender.hasRoom) return false;
      rt.sender.enqueue(d, lane);
      release = false;
      return true;
    } catch (err) {
      this.log.warn({ err: (err as Error).message, delivery: d.id }, 'cannot route delivery now; the sweep will retry');
      return false;
    } finally {
      if (release) this.claimed.delete(d.id);
    }
  }

  // a backlog is pulled as fast as it drains: when claims run low and the last sweep was full,
  // sweep again, at most every 200 ms (the oldest rows it reads are partly ours already)
  private release(id: string): void {
    this.claimed.delete(id);
    if (!this.moreDue || this.pullTimer || this.claimed.size >= (this.opts.sweepBatch ?? 500) / 2) return;
    const wait = Math.max(0, this.lastPull + 200 - Date.now());
    this.pullTimer = setTimeout(() => {
      this.pullTimer = undefined;
      this.lastPull = Date.now();
      void this.sweep(true);
    }, wait);
  }

  // written remembers the `updated` stamp of our last write of each delivery, for ten minutes
  // and at most MAX_WRITTEN of them (a stale copy older than that is beyond any sweep's reach)
  private noteWrite(id: string, updated: string): void {
    if (!updated) return;
    const now = Date.now();
    this.written.delete(id);
    this.writtenAt.delete(id);
    this.written.set(id, updated);
    this.writtenAt.set(id, now);
    for (const [k, t] of this.writtenAt) {
      if (now - t <= 10 * 60_000 && this.writtenAt.size <= MAX_WRITTEN) break;
      this.writtenAt.delete(k);
      this.written.delete(k);
    }
  }

  /** memory reports the sizes of the bridge's own maps (tests). */
  get memory(): { written: number; claimed: number; retryTimers: number; numberCache: number } {
    return { written: this.written.size, claimed: this.claimed.size, retryTimers: this.retryTimers.size, numberCache: this.numberCache.size };
  }

  private async failDelivery(d: Delivery, error: string, code: string): Promise<void> {
    this.log.warn({ delivery: d.id, error }, 'delivery failed');
    await this.store.updateDelivery(d.id, { status: 'failed', error, error_code: code, done_at: pbDate() });
    this.metrics?.failed.inc({ link: 'none' });
  }

  private scheduleRetry(id: string, wait: number): void {
    // the sweep finds far-off retries; timers only make near ones punctual
    if (wait > 15 * 60_000 || this.retryTimers.has(id) || this.retryTimers.size > 10_000) return;
    this.retryTimers.set(
      id,
      setTimeout(() => {
        this.retryTimers.delete(id);
        void this.sweep();
      }, wait + 5),
    );
  }

  // one lookup per number at a time: a burst of deliveries from one number shares it
  private numberLink(e164: string): Promise<string | null | undefined> {
    const cached = this.numberCache.get(e164);
    if (cached && Date.now() - cached.at < (this.opts.numberCacheMs ?? 60_000)) return cached.link;
    const link = this.store.findNumberLink(e164);
    this.numberCache.set(e164, { link, at: Date.now() });
    link.catch(() => this.numberCache.delete(e164));
    return link;
  }

  private enqueueLinkOp(op: () => Promise<void>): void {
    this.linkOps = this.linkOps.then(op).catch((err: unknown) => this.log.error({ err }, 'applying a link change failed'));
  }

  private async reloadLinks(): Promise<void> {
    const configs = await this.store.listLinks();
    const seen = new Set(configs.map((c) => c.id));
    this.enqueueLinkOp(async () => {
      for (const id of [...this.runtimes.keys()]) if (!seen.has(id)) await this.removeLink(id);
      for (const cfg of configs) await this.applyLink(cfg);
    });
    await this.linkOps;
  }

  private async applyLink(cfg: LinkConfig): Promise<void> {
    if (this.stopping) return;
    this.receipts.setLinkName(cfg.id, cfg.name);
    const rt = this.runtimes.get(cfg.id);
    if (!rt) {
      const sender = new LinkSender(cfg, null, {
        store: this.store,
        receipts: this.receipts,
        journal: this.journal,
        log: this.log,
        metrics: this.metrics,
        policy: this.opts.outbound,
        onDone: (id) => {
          this.release(id);
          this.noteWaiting(created);
        },
      });
      const created: Runtime = { config: cfg, link: null, sender, stateWrite: Promise.resolve(), downSince: cfg.down_since ?? '', waitCheckedAt: 0, waitingWritten: `${cfg.waiting ?? 0}|${cfg.waiting_since ?? ''}` };
      this.runtimes.set(cfg.id, created);
      this.startLink(created);
      return;
    }
    const reconnect = CONNECTION_FIELDS.some((f) => rt.config[f] !== cfg[f]);
    const validityChanged = rt.config.validity_s !== cfg.validity_s;
    const old = rt.link;
    rt.config = cfg;
    rt.sender.configure(cfg);
    // a new validity moves the expiry of the texts that wait
    if (validityChanged) this.noteWaiting(rt);
    if (!reconnect) {
      old?.setWindow(cfg.window);
      // keepalive and backoff apply to the live sessions: no rebind (the bridge's own state
      // writes come back as link events too: only a real change reschedules the keepalive)
      const t = this.timingsFor(cfg);
      const key = JSON.stringify(t);
      if (old && key !== rt.timingsKey) {
        old.setTimers(t.timers);
        old.setReconnect(t.reconnect);
        rt.timingsKey = key;
      }
      return;
    }
    this.log.info({ link: cfg.name }, 'link settings changed; reconnecting');
    rt.link = null;
    rt.sender.setLink(null);
    old?.removeAllListeners('state');
    if (old) await old.stop({ drainMs: this.opts.drainMs ?? 10_000, unbindTimeoutMs: this.opts.unbindTimeoutMs ?? 5_000 });
    this.startLink(rt);
  }

  private startLink(rt: Runtime): void {
    const cfg = rt.config;
    if (!cfg.enabled) {
      void this.writeState(rt, 'disabled', '');
      this.noteWaiting(rt);
      return;
    }
    const o = this.opts.link ?? {};
    const timings = this.timingsFor(cfg);
    rt.timingsKey = JSON.stringify(timings);
    const link = new SmppLink(
      {
        id: cfg.id,
        name: cfg.name,
        host: cfg.host,
        port: cfg.port,
        tls: cfg.tls ? { ca: cfg.tls_ca || undefined, servername: cfg.tls_servername || undefined } : undefined,
        credentials: { system_id: cfg.system_id, password: cfg.password, system_type: cfg.system_type },
        bind: cfg.bind,
        window: cfg.window,
        ...o,
        timers: timings.timers,
        reconnect: timings.reconnect,
      },
      {
        log: this.log,
        onInbound: (pdu, session) => this.inbound.handle(rt.config, pdu, { sessionId: session.id }),
      },
    );
    link.on('state', (state: LinkState, lastError: string) => {
      void this.writeState(rt, state, lastError);
      if (state === 'bound') {
        // back: the sweep reads this link's lane again and the backlog drains
        rt.sender.pump();
        void this.sweep();
      }
      this.noteWaiting(rt);
    });
    link.on('reconnect', () => {
      this.metrics?.reconnects.inc({ link: cfg.name });
      this.writeHealth(rt);
    });
    rt.link = link;
    rt.sender.setLink(link);
    link.start();
  }

  private async removeLink(id: string): Promise<void> {
    const rt = this.runtimes.get(id);
    if (!rt) return;
    this.runtimes.delete(id);
    this.clearWaitTimers(rt);
    await rt.sender.stop(this.opts.drainMs ?? 10_000);
    await rt.link?.stop({ drainMs: this.opts.drainMs ?? 10_000, unbindTimeoutMs: this.opts.unbindTimeoutMs ?? 5_000 });
  }

  /**
   * noteWaiting asks for a fresh count of a link's waiting texts, at most
   * every waitingRefreshMs: after a text came for a link that is down, the
   * link changed state, or a delivery of it finished (the backlog shrinking
   * while it drains). Costs one indexed count, whatever the backlog.
   */
  private noteWaiting(rt: Runtime): void {
    if (rt.waitTimer || this.stopping) return;
    const every = this.opts.waitingRefreshMs ?? 3_000;
    rt.waitTimer = setTimeout(() => {
      rt.waitTimer = undefined;
      rt.waitCheckedAt = Date.now();
      void this.refreshWaiting(rt);
    }, Math.max(0, rt.waitCheckedAt + every - Date.now()));
  }

  // the safety net for a link that is down: its count now and then, in case an event was lost
  private checkBlocked(): void {
    const every = this.opts.blockedCheckMs ?? 30_000;
    for (const rt of this.runtimes.values()) if (!rt.link?.ready && Date.now() - rt.waitCheckedAt >= every) this.noteWaiting(rt);
  }

  private clearWaitTimers(rt: Runtime): void {
    clearTimeout(rt.waitTimer);
    clearTimeout(rt.expiryTimer);
    rt.waitTimer = rt.expiryTimer = undefined;
  }

  // writes `waiting` / `waiting_since` on the link when they changed, and schedules the expiry
  private async refreshWaiting(rt: Runtime): Promise<void> {
    if (this.stopping || this.runtimes.get(rt.config.id) !== rt) return;
    let w: Waiting;
    try {
      w = await this.store.countWaiting(rt.config.id);
    } catch (err) {
      this.log.warn({ err: (err as Error).message, link: rt.config.name }, 'cannot count the texts waiting for the link');
      return;
    }
    const key = `${w.count}|${w.oldest}`;
    const changed = key !== rt.waitingWritten;
    if (changed) {
      rt.stateWrite = rt.stateWrite.then(async () => {
        try {
          await this.store.updateLink(rt.config.id, { waiting: w.count, waiting_since: w.oldest });
          rt.waitingWritten = key;
        } catch (err) {
          this.log.warn({ err: (err as Error).message, link: rt.config.name }, 'cannot write the waiting count');
        }
      });
    }
    clearTimeout(rt.expiryTimer);
    rt.expiryTimer = undefined;
    if (!rt.link?.ready) {
      if (w.oldest) {
        const at = (parsePbDate(w.oldest) ?? Date.now()) + validityMs(rt.config);
        // at most an hour ahead: a clock or validity change is caught up with then
        rt.expiryTimer = setTimeout(() => void this.expireWaiting(rt), Math.min(Math.max(0, at - Date.now()), 3_600_000) + 5);
      }
    } else if (w.count > 0 && (changed || rt.sender.queued > 0 || rt.sender.inProgress > 0)) {
      // draining: follow the count down
      this.noteWaiting(rt);
    }
  }

  // ends the texts that waited for a down link longer than its validity, 200 at a time
  private async expireWaiting(rt: Runtime): Promise<void> {
    rt.expiryTimer = undefined;
    if (this.stopping || rt.link?.ready || this.runtimes.get(rt.config.id) !== rt) return;
    const cutoff = pbDate(Date.now() - validityMs(rt.config));
    try {
      for (;;) {
        const rows = (await this.store.listWaitingBefore(rt.config.id, cutoff, 200)).filter((d) => !this.claimed.has(d.id));
        await Promise.all(rows.map((d) => this.expire(rt, d)));
        if (rows.length < 200 || this.stopping) break;
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message, link: rt.config.name }, 'expiring waiting texts failed; trying again at the next count');
    }
    this.noteWaiting(rt);
  }

  // a text that waited longer than its link's validity: failed, expired, never sent
  private async expire(rt: Runtime, d: Delivery): Promise<void> {
    const down = parsePbDate(rt.downSince) ?? Infinity;
    const error = expiredReason(Date.now() - Math.min(down, queuedAt(d)));
    this.log.warn({ delivery: d.id, link: rt.config.name, error }, 'delivery expired');
    await this.store.updateDelivery(d.id, { status: 'failed', error, error_code: 'expired', next_attempt_at: '', done_at: pbDate() });
    this.metrics?.failed.inc({ link: rt.config.name });
  }

  /**
   * timingsFor resolves a link's session timers and reconnect backoff: the
   * kind's defaults, then the bridge's overrides (tests), then what the admin
   * set on the link.
   */
  private timingsFor(cfg: LinkConfig): { timers: Partial<SessionTimers>; reconnect: BackoffPolicy } {
    const o = this.opts.link ?? {};
    const toSession = (t: Partial<LinkTimings>): Partial<SessionTimers> => {
      const s: Partial<SessionTimers> = {};
      if (t.enquireLinkMs) s.enquireLinkMs = t.enquireLinkMs;
      if (t.enquireLinkTimeoutMs) s.enquireLinkTimeoutMs = t.enquireLinkTimeoutMs;
      if (t.inactivityMs) s.inactivityMs = t.inactivityMs;
      return s;
    };
    const toBackoff = (t: Partial<LinkTimings>): Partial<BackoffPolicy> => ({
      ...(t.reconnectMinMs ? { baseMs: t.reconnectMinMs } : {}),
      ...(t.reconnectMaxMs ? { maxMs: t.reconnectMaxMs } : {}),
    });
    const kind = linkTimings({ kind: cfg.kind });
    const mine = linkTimings(cfg, true);
    const timers = { ...toSession(kind), ...o.timers, ...toSession(mine) };
    const reconnect = { ...LINK_DEFAULTS.reconnect, ...toBackoff(kind), ...o.reconnect, ...toBackoff(mine) };
    reconnect.maxMs = Math.max(reconnect.maxMs, reconnect.baseMs);
    return { timers, reconnect };
  }

  // the health figures of a link, written when they changed: enquire_link round trip and reconnects in the last hour
  private writeHealth(rt: Runtime): void {
    const link = rt.link;
    if (!link || this.stopping) return;
    const rtt = link.enquireRttMs;
    const patch: LinkStatePatch = { reconnects_1h: link.reconnectsWithin(), ...(rtt >= 0 ? { enquire_rtt_ms: rtt } : {}) };
    if (link.lastDrop) patch.last_drop = link.lastDrop.slice(0, 500);
    const key = `${patch.reconnects_1h}|${patch.enquire_rtt_ms ?? ''}|${patch.last_drop ?? ''}`;
    if (key === rt.healthWritten) return;
    rt.stateWrite = rt.stateWrite.then(async () => {
      try {
        await this.store.updateLink(rt.config.id, patch);
        rt.healthWritten = key;
      } catch (err) {
        this.log.warn({ err: (err as Error).message, link: rt.config.name }, 'cannot write link health');
      }
    });
  }

  /**
   * checkReports marks the `sent` texts of links that expect receipts whose
   * receipt is overdue (older than the link's receipt timeout): `report`
   * becomes 'missing' and the text says "No delivery report from the
   * network". A receipt that comes later still moves it to delivered or
   * failed. One indexed range read per link, 200 rows at a time.
   */
  async checkReports(): Promise<void> {
    for (const rt of [...this.runtimes.values()]) {
      if (this.stopping) return;
      if (!receiptsExpected(rt.config)) continue;
      const before = pbDate(Date.now() - receiptTimeoutMs(rt.config));
      try {
        for (;;) {
          const rows = await this.store.listAwaitingReport(rt.config.id, before, 200);
          for (const d of rows) await this.store.updateDelivery(d.id, { report: 'missing' });
          if (rows.length < 200 || this.stopping) break;
        }
      } catch (err) {
        this.log.warn({ err: (err as Error).message, link: rt.config.name }, 'checking for overdue receipts failed; trying again later');
      }
    }
  }

  // state writes per link go one after another, and only when something changed
  private writeState(rt: Runtime, state: LinkState, lastError: string): Promise<void> {
    const key = `${state}|${lastError}`;
    rt.stateWrite = rt.stateWrite.then(async () => {
      if (rt.lastWritten === key) return;
      const patch: LinkStatePatch = { state, last_error: lastError.slice(0, 500), state_at: pbDate() };
      patch.bound_since = state === 'bound' ? patch.state_at : '';
      // down_since keeps the start of an outage through reconnect attempts and bridge restarts
      const downSince = state === 'bound' ? '' : rt.downSince || patch.state_at!;
      if (downSince !== rt.downSince || rt.lastWritten === undefined) patch.down_since = downSince;
      try {
        await this.store.updateLink(rt.config.id, patch);
        rt.downSince = downSince;
        rt.lastWritten = key;
      } catch (err) {
        this.log.warn({ err: (err as Error).message, link: rt.config.name }, 'cannot write link state');
      }
    });
    return rt.stateWrite;
  }
}

function queuedAt(d: Delivery): number {
  return parsePbDate(d.queued_at || d.created || '') ?? Date.now();
}

// nothing of it may have reached the SMSC: no part accepted, no write left without an answer
function neverSent(d: Delivery): boolean {
  return !d.smsc_ids.some(Boolean) && !(d.attempt_log ?? []).some((e) => e.unanswered.length > 0);
}

/** resolveTrail is the state a delivery's journal trail proves, for a row the crash left `sending`. */
export function resolveTrail(t: DeliveryTrail, row: Delivery): DeliveryPatch {
  const n = t.n || row.segments || row.smsc_ids.length;
  // a retry sends only the parts not accepted before: keep those ids
  const ids = t.a > 1 && row.smsc_ids.length === n ? row.smsc_ids.slice() : new Array<string>(n).fill('');
  t.ids.forEach((id, i) => {
    if (id) ids[i] = id;
  });
  const unanswered = t.parts.flatMap((s, i) => (s === 'written' ? [i] : []));
  const now = pbDate();
  const log = (result: 'sent' | 'unknown' | 'retry') =>
    withAttempt(row.attempt_log, { n: t.a, at: now, ids: t.ids.slice(), unanswered, result, ...(result === 'sent' ? {} : { code: 'bridge_restart' }) });
  if (unanswered.length > 0) {
    return { status: 'unknown', smsc_ids: ids, error: MAYBE_NOT_SENT, error_code: 'unknown_after_restart', done_at: now, attempt_log: log('unknown') };
  }
  if (ids.length > 0 && ids.every(Boolean)) return { status: 'sent', smsc_ids: ids, sent_at: now, next_attempt_at: '', attempt_log: log('sent') };
  return { status: 'queued', smsc_ids: ids, next_attempt_at: '', error: '', error_code: '', attempt_log: log('retry') };
}
