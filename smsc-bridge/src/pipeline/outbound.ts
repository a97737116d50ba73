// Deliveries out, for one link: a queue of claimed deliveries, each encoded
// (GSM 03.38 or UCS-2, split with UDH), rate limited, written `sending`,
// submitted part by part within the window, and finally written `sent`
// with the SMSC ids, back to `queued` for a retry, or `failed` with a
// reason. Each part is journaled before it is written to the socket and
// again with its answer, and each outcome until PocketBase stored it, so a
// crash at any point is resolved at the next start (journal.ts).
// docs/bridge.md ("Sending", "The journal") lists the rules and their tests.

import { splitForSubmit, type SubmitParts } from '../codec/udh.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { backoffDelay, type BackoffPolicy } from '../session/backoff.js';
import { messageIdOf, type PDU } from '../transport/pdu.js';
import { submitAddress } from './address.js';
import type { ReceiptTracker } from './receipts.js';
import { RateLimiter } from './rate.js';
import type { Journal } from './journal.js';
import { StoreError, parsePbDate, pbDate, type AttemptEntry, type Delivery, type DeliveryPatch, type LinkConfig, type Store } from './store.js';
import { classifyError, classifyStatus, type SubmitOutcome } from './submit-outcome.js';
import { formatSpan, receiptsExpected, validityMs } from '../../../src/lib/domain/smsc-link.js';

/** expiredReason is the error of a text that waited for its link longer than the link's validity. */
export function expiredReason(downForMs: number): string {
  return `expired: the link was down for ${formatSpan(downForMs)}`;
}

/** Submitter is the part of SmppLink the sender uses (tests may fake it). */
export interface Submitter {
  readonly ready: boolean;
  submit(fields: Record<string, unknown>, timeoutMs?: number, beforeWrite?: () => Promise<void>): Promise<PDU>;
}

/** ATTEMPT_LOG_MAX bounds deliveries.attempt_log. */
export const ATTEMPT_LOG_MAX = 12;

/** MAYBE_NOT_SENT explains the `unknown` state. */
export const MAYBE_NOT_SENT = 'The bridge stopped after handing this text to the SMSC and before its answer: it may not have been sent. Retry?';

/** withAttempt appends an attempt to a delivery's log, keeping the newest ATTEMPT_LOG_MAX. */
export function withAttempt(log: AttemptEntry[] | undefined, entry: AttemptEntry): AttemptEntry[] {
  return [...(log ?? []), entry].slice(-ATTEMPT_LOG_MAX);
}

/** OutboundPolicy holds the retry and queueing rules. */
export interface OutboundPolicy {
  /** maxAttempts bounds the attempts of one delivery (each one is a `sending` write). */
  maxAttempts: number;
  /** retry is the backoff between attempts. */
  retry: BackoffPolicy;
  /** inlineRetries is how often one part is resubmitted at once after throttling or a full queue. */
  inlineRetries: number;
  /** queueFullPauseMs is the wait before resubmitting after ESME_RMSGQFUL. */
  queueFullPauseMs: number;
  /**
   * holdWhileDownMs is how long claimed deliveries wait in memory for a link
   * that went down; then they are let go untouched (still `queued`, no write)
   * and the bridge reads them again when the link is back.
   */
  holdWhileDownMs: number;
  /** maxQueue bounds the deliveries claimed per link; the sweep brings the rest later. */
  maxQueue: number;
  /** activePerWindow: how many deliveries may be in progress per window slot. */
  activePerWindow: number;
  /** liveShare: of every 4 deliveries started while both lanes hold some, how many come from the live lane. */
  liveShare: number;
}

/** OUTBOUND_DEFAULTS are the production rules. */
export const OUTBOUND_DEFAULTS: OutboundPolicy = {
  maxAttempts: 8,
  retry: { baseMs: 5_000, maxMs: 10 * 60_000, factor: 2, jitter: 0.2 },
  inlineRetries: 3,
  queueFullPauseMs: 1_000,
  holdWhileDownMs: 30_000,
  maxQueue: 5_000,
  activePerWindow: 2,
  liveShare: 3,
};

/** UNKNOWN_AFTER_RESTART is the error of a delivery found `sending` at start with no journal to tell how far it got. */
export const UNKNOWN_AFTER_RESTART = 'Outcome unknown after a bridge restart; not resent to avoid a duplicate';

interface AttemptCtx {
  d: Delivery;
  attempt: number;
  n: number;
  /** written: parts written to the socket in this attempt */
  written: Set<number>;
  /** unanswered: parts written whose answer never came (timeout, drop) */
  unanswered: Set<number>;
}

/** concatRef derives the concatenation reference from the delivery id, so a retry of missing parts reuses it even after a restart. */
export function concatRef(id: string, ref16: boolean): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return ref16 ? h & 0xffff : h & 0xff;
}

interface Queued {
  d: Delivery;
  since: number;
  live: boolean;
}

/**
 * Lane says where a claimed delivery came from: `live` is a text that came
 * in by its realtime event (someone just posted it), `backlog` one that the
 * sweep found waiting (after an outage or a restart). Live texts go first,
 * three of every four starts, so a person's text is not stuck behind a
 * drained backlog, and the backlog still moves (docs/bridge.md, "Draining").
 */
export type Lane = 'live' | 'backlog';

/**
 * LinkSender sends the deliveries of one link. The bridge enqueues claimed
 * deliveries; the sender runs up to window × activePerWindow of them at a
 * time while the link is bound, and calls done(id) when it has finished
 * with one (whatever the outcome), so the bridge can release its claim.
 */
export class LinkSender {
  config: LinkConfig;
  private link: Submitter | null;
  private readonly store: Store;
  private readonly receipts: ReceiptTracker;
  private readonly journal: Journal;
  private readonly log: Logger;
  private readonly metrics?: Metrics;
  private readonly policy: OutboundPolicy;
  private readonly onDone: (id: string) => void;
  private readonly rate: RateLimiter;
  private live: Queued[] = [];
  private backlog: Queued[] = [];
  private started = 0;
  private active = 0;
  private stopping = false;
  private idle: (() => void)[] = [];
  private holdTimer?: NodeJS.Timeout;
  /** turn resolves once the last started delivery has handed its parts to the link (or given up). */
  private turn: Promise<void> = Promise.resolve();

  constructor(
    config: LinkConfig,
    link: Submitter | null,
    deps: {
      store: Store;
      receipts: ReceiptTracker;
      journal: Journal;
      log: Logger;
      metrics?: Metrics;
      policy?: Partial<OutboundPolicy>;
      onDone: (id: string) => void;
    },
  ) {
    this.config = config;
    this.link = link;
    this.store = deps.store;
    this.receipts = deps.receipts;
    this.journal = deps.journal;
    this.log = deps.log.child({ link: config.name });
    this.metrics = deps.metrics;
    this.policy = { ...OUTBOUND_DEFAULTS, ...deps.policy };
    this.onDone = deps.onDone;
    this.rate = new RateLimiter(config.max_per_second);
  }

  /** queued is how many claimed deliveries wait to start. */
  get queued(): number {
    return this.live.length + this.backlog.length;
  }

  /** inProgress is how many deliveries are being sent now. */
  get inProgress(): number {
    return this.active;
  }

  /** hasRoom says whether another delivery may be claimed for this link. */
  get hasRoom(): boolean {
    return !this.stopping && this.queued < this.policy.maxQueue;
  }

  /** rateNow is the submit rate in force (0: unlimited), lowered after throttling. */
  get rateNow(): number {
    return this.rate.rate;
  }

  /** setLink swaps the link (after a reconnect-worthy config change); in-progress sends finish on the old one. */
  setLink(link: Submitter | null): void {
    this.link = link;
    this.pump();
  }

  /** configure applies an edited link row: rate now, window and the rest for the next submits. */
  configure(config: LinkConfig): void {
    if (config.max_per_second !== this.config.max_per_second) this.rate.setRate(config.max_per_second);
    this.config = config;
    this.pump();
  }

  /** enqueue takes a claimed delivery, into its lane. */
  enqueue(d: Delivery, lane: Lane = 'backlog'): void {
    (lane === 'live' ? this.live : this.backlog).push({ d, since: Date.now(), live: lane === 'live' });
    this.pump();
  }

  // live first, liveShare of every 4 starts while the backlog waits too
  private next(): Queued | undefined {
    if (this.live.length === 0) return this.backlog.shift();
    if (this.backlog.length === 0) return this.live.shift();
    return this.started++ % 4 < this.policy.liveShare ? this.live.shift() : this.backlog.shift();
  }

  /** pump starts queued deliveries while the link is bound and there is room; call it when the link comes up. */
  pump(): void {
    if (this.stopping) return;
    const limit = Math.max(1, this.config.window) * this.policy.activePerWindow;
    // one delivery at a time waits for rate permits: the lane is chosen when the link can take it,
    // so a live text posted during a rate-limited drain is next, not behind a row of waiters
    while (this.queued > 0 && this.active < limit && this.link?.ready && this.rate.waiting === 0) {
      const q = this.next()!;
      const d = q.d;
      this.active++;
      void this.process(q).then((requeued) => {
        this.active--;
        if (!requeued) this.onDone(d.id);
        if (this.active === 0) for (const fn of this.idle.splice(0)) fn();
        this.pump();
      });
    }
    this.scheduleHoldCheck();
  }

  /**
   * stop takes no more work: queued deliveries are released (they are still
   * `queued` in PocketBase), and it resolves when those in progress finished
   * or drainMs passed.
   */
  async stop(drainMs: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.holdTimer);
    // deliveries waiting for rate permits have written nothing yet: let them go now
    this.rate.close();
    for (const q of [...this.live.splice(0), ...this.backlog.splice(0)]) this.onDone(q.d.id);
    if (this.active > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, drainMs);
        this.idle.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  // a link down is not an attempt: deliveries held this long for it are let go untouched (no
  // write; they are still `queued`), and the bridge reads them again when the link is back
  private scheduleHoldCheck(): void {
    if (this.holdTimer || this.queued === 0 || this.link?.ready) return;
    this.holdTimer = setTimeout(() => {
      this.holdTimer = undefined;
      if (this.link?.ready) return this.pump();
      const held = [...this.live.splice(0), ...this.backlog.splice(0)];
      if (held.length) this.log.info({ held: held.length }, 'the link is down: letting its claimed deliveries wait in PocketBase');
      for (const q of held) this.onDone(q.d.id);
    }, this.policy.holdWhileDownMs);
  }

  // resolves true when the delivery went back to the queue untouched
  private async process(q: Queued): Promise<boolean> {
    // the `sending` writes of the deliveries in progress run concurrently, but their submits go to the
    // link in the order the deliveries started: one slow write holds back those behind it, it is not overtaken
    const before = this.turn;
    let myTurnDone!: () => void;
    this.turn = new Promise<void>((resolve) => (myTurnDone = resolve));
    try {
      return await this.attempt(q, before, myTurnDone);
    } finally {
      myTurnDone();
    }
  }

  private async attempt(q: Queued, before: Promise<void>, turnDone: () => void): Promise<boolean> {
    const d = q.d;
    const link = this.link;
    const cfg = this.config;
    let plan: SubmitParts;
    try {
      plan = splitForSubmit(d.body, { ref: concatRef(d.id, cfg.ref16), ref16: cfg.ref16 });
    } catch (err) {
      await this.finish(d, d.attempts + 1, { status: 'failed', error: `The text cannot be sent as SMS: ${(err as Error).message}`, error_code: 'encode', done_at: pbDate() });
      return false;
    }
    const n = plan.parts.length;
    // attempts 0 is a fresh start (new, or a person pressed retry): every part goes again;
    // otherwise only the parts the SMSC has not accepted yet
    const fresh = d.attempts === 0;
    if (fresh) this.receipts.forget(d.id);
    const ids = !fresh && d.smsc_ids.length === n ? d.smsc_ids.slice() : new Array<string>(n).fill('');
    const todo = ids.map((id, i) => (id ? -1 : i)).filter((i) => i >= 0);
    await this.rate.take(todo.length);
    this.pump();
    if (!link?.ready || this.stopping) {
      // nothing was written or sent: hand the delivery back untouched
      if (this.stopping) return false;
      (q.live ? this.live : this.backlog).unshift(q);
      return true;
    }
    const attempt = d.attempts + 1;
    const encoding = plan.dataCoding === 8 ? 'UCS-2' : 'GSM-7';
    try {
      // written before the first submit_sm: `sending` means a part may have reached the SMSC
      await this.store.updateDelivery(d.id, { status: 'sending', attempts: attempt, link: cfg.id, segments: n, encoding, error: '', error_code: '' });
    } catch (err) {
      this.log.warn({ err: (err as Error).message, delivery: d.id }, 'cannot mark the delivery sending; leaving it queued');
      return false;
    }
    this.receipts.begin(d.id, cfg.id, cfg.id_format, ids);
    const from = submitAddress(d.from, cfg.source_ton, cfg.source_npi);
    const to = submitAddress(d.to, cfg.dest_ton, cfg.dest_npi);
    const base = {
      source_addr: from.addr,
      source_addr_ton: from.ton,
      source_addr_npi: from.npi,
      destination_addr: to.addr,
      dest_addr_ton: to.ton,
      dest_addr_npi: to.npi,
      esm_class: plan.esmClassUdhi ? 0x40 : 0x00,
      // a link whose SMSC sends no receipts does not ask for them: `sent` is final there
      registered_delivery: receiptsExpected(cfg) ? 1 : 0,
      data_coding: plan.dataCoding,
    };
    const ctx: AttemptCtx = { d, attempt, n, written: new Set(), unanswered: new Set() };
    await before;
    // submit() takes its window slot and journals in call order, so the parts reach the wire in this order
    const pending = Promise.all(todo.map((i) => this.submitPart(link, ctx, i, { ...base, short_message: Buffer.from(plan.parts[i]) })));
    turnDone();
    const outcomes = await pending;
    const failures: SubmitOutcome[] = [];
    const accepted = new Array<string>(n).fill('');
    todo.forEach((i, k) => {
      const o = outcomes[k];
      if (o.kind === 'ok') ids[i] = accepted[i] = o.id;
      else failures.push(o);
    });
    // a part written again after an earlier write of it got no answer: the phone may get it twice
    const earlier = new Set((d.attempt_log ?? []).flatMap((e) => e.unanswered));
    const twice = d.maybe_duplicate === true || [...ctx.written].some((p) => earlier.has(p));
    const entry = (result: AttemptEntry['result'], code?: string): Pick<DeliveryPatch, 'attempt_log' | 'maybe_duplicate'> => ({
      attempt_log: withAttempt(d.attempt_log, { n: attempt, at: pbDate(), ids: accepted, unanswered: [...ctx.unanswered], result, ...(code ? { code } : {}) }),
      ...(twice ? { maybe_duplicate: true } : {}),
    });
    const permanent = failures.find((o) => o.kind === 'permanent');
    if (permanent && permanent.kind === 'permanent') {
      await this.finish(d, attempt, { status: 'failed', smsc_ids: ids, error: permanent.reason, error_code: permanent.code, done_at: pbDate(), ...entry('failed', permanent.code) });
      return false;
    }
    const retry = failures.find((o) => o.kind === 'retry');
    if (retry && retry.kind === 'retry') {
      const unansweredEver = ctx.unanswered.size > 0 || earlier.size > 0;
      await this.retryOrFail(d, attempt, retry, ids, unansweredEver, entry);
      return false;
    }
    const now = pbDate();
    const early = this.receipts.outcome(d.id);
    if (early?.status === 'delivered') {
      await this.finish(d, attempt, { status: 'delivered', smsc_ids: ids, sent_at: now, done_at: now, error: '', error_code: '', ...entry('delivered') }, 'sent');
    } else if (early?.status === 'failed') {
      await this.finish(d, attempt, { status: 'failed', smsc_ids: ids, sent_at: now, done_at: now, error: early.error, error_code: early.code, ...entry('failed', early.code) }, 'sent');
    } else {
      const report = receiptsExpected(cfg) ? 'awaited' : 'not_expected';
      await this.finish(d, attempt, { status: 'sent', smsc_ids: ids, sent_at: now, next_attempt_at: '', report, ...entry('sent') });
    }
    return false;
  }

  private async submitPart(link: Submitter, ctx: AttemptCtx, part: number, fields: Record<string, unknown>): Promise<SubmitOutcome> {
    const name = this.config.name;
    const deliveryId = ctx.d.id;
    // durable before the bytes go out: after a crash, a part without this record was certainly not sent
    const beforeWrite = async () => {
      await this.journal.append({ t: 'w', d: deliveryId, a: ctx.attempt, p: part, n: ctx.n });
      ctx.written.add(part);
    };
    for (let tries = 0; ; tries++) {
      let outcome: SubmitOutcome;
      let answered = false;
      this.receipts.submitStarted(this.config.id);
      try {
        const resp = await link.submit(fields, undefined, beforeWrite);
        answered = true;
        outcome = resp.command_status === 0 ? { kind: 'ok', id: messageIdOf(resp) } : classifyStatus(resp.command_status);
      } catch (err) {
        outcome = classifyError(err, name);
        // written, and no answer: the SMSC may have taken it
        if (ctx.written.has(part) && outcome.kind === 'retry' && outcome.sent) ctx.unanswered.add(part);
      }
      if (outcome.kind === 'ok') {
        this.receipts.recordPart(deliveryId, part, outcome.id);
        // durable before anything depends on the id (the `sent` write, a receipt)
        await this.journal.append({ t: 'a', d: deliveryId, a: ctx.attempt, p: part, id: outcome.id }).catch((err: unknown) =>
          this.log.error({ err, delivery: deliveryId }, 'cannot journal an accepted part'),
        );
      } else if (answered || !ctx.unanswered.has(part)) {
        if (ctx.written.has(part)) this.journal.note({ t: 'x', d: deliveryId, a: ctx.attempt, p: part });
      }
      this.receipts.submitEnded(this.config.id);
      if (outcome.kind === 'ok') {
        this.metrics?.submitted.inc({ link: name });
        return outcome;
      }
      if (outcome.kind === 'retry' && outcome.throttled) {
        this.metrics?.throttled.inc({ link: name });
        this.rate.throttled();
      }
      if (outcome.kind !== 'retry') return outcome;
      const inline = (outcome.throttled || outcome.queueFull) && tries < this.policy.inlineRetries && !this.stopping;
      if (!inline) return outcome;
      this.metrics?.retried.inc({ link: name });
      this.log.info({ delivery: deliveryId, part, reason: outcome.reason }, 'resubmitting after the pause');
      // a full queue gets the same pause as throttling, without lowering the rate
      if (outcome.queueFull) await new Promise((r) => setTimeout(r, this.policy.queueFullPauseMs));
      await this.rate.take(1);
      if (!link.ready) return classifyError(new Error(`SMSC link '${name}' is down`), name);
    }
  }

  private async retryOrFail(
    d: Delivery,
    attempt: number,
    o: Extract<SubmitOutcome, { kind: 'retry' }>,
    ids: string[],
    unansweredEver = false,
    entry: (result: AttemptEntry['result'], code?: string) => Pick<DeliveryPatch, 'attempt_log' | 'maybe_duplicate'> = () => ({}),
  ): Promise<void> {
    const accepted = ids.filter(Boolean).length;
    // nothing of it reached the SMSC this time (link down): no reason to give up while the text is valid
    const queued = parsePbDate(d.queued_at || d.created || '') ?? Date.now();
    if (o.sent === false && Date.now() - queued >= validityMs(this.config)) {
      const error = expiredReason(Date.now() - queued) + (accepted ? ` (${accepted} of ${ids.length} parts were sent)` : '');
      const status = unansweredEver ? 'unknown' : 'failed';
      await this.finish(d, attempt, { status, attempts: attempt, smsc_ids: ids, error, error_code: 'expired', done_at: pbDate(), ...entry(status, 'expired') });
      return;
    }
    if (o.sent !== false && attempt >= this.policy.maxAttempts) {
      const error = `Gave up after ${attempt} attempts: ${o.reason}` + (accepted ? ` (${accepted} of ${ids.length} parts were sent)` : '');
      // a write that never got its answer may have reached the phone: not "failed", unknown
      const status = unansweredEver ? 'unknown' : 'failed';
      await this.finish(d, attempt, { status, attempts: attempt, smsc_ids: ids, error, error_code: o.code, done_at: pbDate(), ...entry(status, o.code) });
      return;
    }
    this.metrics?.retried.inc({ link: this.config.name });
    const at = Date.now() + backoffDelay(attempt, this.policy.retry);
    await this.finish(
      d,
      attempt,
      { status: 'queued', attempts: attempt, smsc_ids: ids, next_attempt_at: pbDate(at), error: `${o.reason}; retrying`, error_code: o.code, ...entry('retry', o.code) },
      'queued',
    );
  }

  /**
   * finish writes the delivery's new state. The write carries the SMSC ids
   * and ends `sending`, so while PocketBase is unreachable it is retried
   * (every few seconds, for as long as the bridge runs; three times once it
   * is stopping) rather than dropped.
   */
  private async finish(d: Delivery, deliveryAttempt: number, patch: DeliveryPatch, tracked?: 'sent' | 'queued'): Promise<void> {
    // the outcome waits in the journal until PocketBase has it; the next start stores it otherwise
    this.journal.note({ t: 'o', d: d.id, a: deliveryAttempt, patch });
    for (let attempt = 1; ; attempt++) {
      try {
        await this.store.updateDelivery(d.id, patch);
        this.journal.note({ t: 's', d: d.id });
        break;
      } catch (err) {
        const permanent = err instanceof StoreError && !err.temporary;
        if (permanent || (this.stopping && attempt >= 3)) {
          if (permanent) this.journal.note({ t: 's', d: d.id });
          this.log[permanent ? 'error' : 'warn'](
            { err: (err as Error).message, delivery: d.id, patch },
            permanent ? 'cannot store the delivery outcome' : 'cannot store the delivery outcome before stopping; it waits in the journal',
          );
          // receipts it held stay open in the journal unless the delivery is gone for good
          this.receipts.forget(d.id, permanent);
          return;
        }
        if (attempt % 10 === 1) this.log.warn({ err: (err as Error).message, delivery: d.id, attempt }, 'storing the delivery outcome failed; retrying');
        await new Promise((r) => setTimeout(r, Math.min(5_000, 100 * 2 ** Math.min(attempt, 6))));
      }
    }
    const name = this.config.name;
    if (patch.status === 'sent' || tracked === 'sent') this.metrics?.sent.inc({ link: name });
    if (patch.status === 'failed' || patch.status === 'unknown') this.metrics?.failed.inc({ link: name });
    if (patch.status === 'delivered') this.metrics?.delivered.inc({ link: name });
    if (patch.status === 'failed' || patch.status === 'delivered' || patch.status === 'unknown') {
      this.log.info({ delivery: d.id, status: patch.status, error: patch.error }, 'delivery done');
      await this.receipts.markWritten(d.id, patch.status === 'delivered' ? 'delivered' : 'failed');
    } else if (patch.status === 'sent') {
      // a receipt that came during the write is in the journal until its effect is stored
      await this.receipts.markWritten(d.id, 'sent').catch((err: unknown) =>
        this.log.warn({ err, delivery: d.id }, 'storing a receipt that came during the write failed; it waits in the journal'),
      );
    } else {
      await this.receipts.markWritten(d.id, 'queued');
    }
  }
}
