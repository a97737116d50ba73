// What the pipeline needs from PocketBase, as an interface: the records it
// reads and the few fields it writes. PocketBaseStore implements it over
// the SDK; MemoryStore implements it in memory for tests and benchmarks.
// Field names are the collections' (DESIGN.md §3), so nothing is renamed
// on the way.

import type { DeliveryReport, LinkSettings, LinkStateValue } from '../../../src/lib/domain/smsc-link.js';

/** DeliveryStatus is a deliveries.status value. */
export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'failed' | 'unknown';

/**
 * AttemptEntry is one attempt in deliveries.attempt_log: the ids the SMSC
 * gave in it ('' for parts not accepted in it), the parts written to the
 * socket that never got an answer (the SMSC may have taken them), and how
 * the attempt ended.
 */
export interface AttemptEntry {
  n: number;
  at: string;
  ids: string[];
  unanswered: number[];
  result: 'sent' | 'delivered' | 'failed' | 'retry' | 'unknown';
  code?: string;
}

/** Delivery is one SMS leg: one message to one number. Dates are PocketBase date strings ('' when empty). */
export interface Delivery {
  id: string;
  to: string;
  from: string;
  body: string;
  status: DeliveryStatus;
  segments: number;
  encoding: 'GSM-7' | 'UCS-2' | '';
  /** smsc_ids holds one id per part in part order; '' for a part not accepted yet. */
  smsc_ids: string[];
  attempts: number;
  next_attempt_at: string;
  error: string;
  error_code: string;
  link: string;
  sent_at: string;
  done_at: string;
  /** attempt_log lists every attempt with its ids (newest last, at most ATTEMPT_LOG_MAX). */
  attempt_log?: AttemptEntry[];
  /** maybe_duplicate: a part was written again after an earlier write of it got no answer, so the phone may get it twice. */
  maybe_duplicate?: boolean;
  /** queued_at is when the text was queued (again, after a person's retry): the order a link's texts go in, and the start of their validity; '' on old rows (created then). */
  queued_at?: string;
  /** report: for a `sent` text, whether its receipt is awaited, not expected (sent is final), or overdue ('missing') */
  report?: DeliveryReport;
  /** created orders the sweep; PocketBase sets it. */
  created?: string;
  /** updated tells a stale copy (from a slow sweep or a late event) from the current row; PocketBase sets it. */
  updated?: string;
}

/** DeliveryPatch is what the bridge writes on a delivery. */
export type DeliveryPatch = Partial<Omit<Delivery, 'id' | 'to' | 'from' | 'body' | 'created' | 'updated'>>;

/** LinkConfig is an smsc_links row as the bridge reads it. */
export interface LinkConfig extends LinkSettings {
  id: string;
  /** down_since is the bridge's own record of when the link stopped being bound ('' while bound) */
  down_since?: string;
  /** waiting and waiting_since as last written on the row */
  waiting?: number;
  waiting_since?: string;
}

export type { LinkStateValue };

/** LinkStatePatch is what the bridge writes on a link: its live state, and how many texts wait for it since when. */
export interface LinkStatePatch {
  state?: LinkStateValue;
  last_error?: string;
  state_at?: string;
  /** down_since: when the link stopped being bound ('' once it is bound again) */
  down_since?: string;
  /** waiting: queued texts for the link; waiting_since: the oldest one's queued_at ('' for none) */
  waiting?: number;
  waiting_since?: string;
  /** health: when the link became bound ('' while not), the last enquire_link round trip, reconnects in the last hour */
  bound_since?: string;
  enquire_rtt_ms?: number;
  reconnects_1h?: number;
  /** last_drop: why the last bound session ended */
  last_drop?: string;
}

/** Waiting is what a link's queue holds: how many texts, and the oldest one's queue time ('' when none). */
export interface Waiting {
  count: number;
  oldest: string;
}

/** DueQuery narrows listDueDeliveries to one link's texts ('' for those without a link), from a queue time on. */
export interface DueQuery {
  link?: string;
  from?: string;
}

/** InboundText is the body of POST /api/sms/inbound. */
export interface InboundText {
  link: string;
  from: string;
  to: string;
  body: string;
  dedupe_key: string;
  incomplete: boolean;
}

/** StoreError is a failed store call; temporary ones (network, 5xx) are worth retrying, others are not. */
export class StoreError extends Error {
  readonly temporary: boolean;
  readonly status?: number;

  constructor(message: string, temporary: boolean, status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.temporary = temporary;
    this.status = status;
  }
}

/** RecordAction is a realtime event's action. */
export type RecordAction = 'create' | 'update' | 'delete';

/** StoreEvents receive realtime changes; onReconnect fires after the event stream came back (events may be lost). */
export interface StoreEvents {
  onDelivery?(action: RecordAction, d: Delivery): void;
  onLink?(action: RecordAction, cfg: LinkConfig): void;
  onNumber?(action: RecordAction, e164: string): void;
  onReconnect?(): void;
}

/** Store is the pipeline's view of PocketBase. */
export interface Store {
  listLinks(): Promise<LinkConfig[]>;
  /** findNumberLink returns the smsc_link id of a business number: null when the number has none, undefined when it is not a business number. */
  findNumberLink(e164: string): Promise<string | null | undefined>;
  /**
   * listDueDeliveries returns queued deliveries whose next_attempt_at is
   * empty or past, oldest queued_at first; with `link`, only that link's
   * ('' for none); with `from`, only those queued at or after it.
   */
  listDueDeliveries(limit: number, q?: DueQuery): Promise<Delivery[]>;
  /** countWaiting counts a link's queued deliveries and finds the oldest one's queued_at: one indexed query. */
  countWaiting(linkId: string): Promise<Waiting>;
  /** listWaitingBefore returns a link's queued deliveries queued before a time, oldest first (to expire them). */
  listWaitingBefore(linkId: string, before: string, limit: number): Promise<Delivery[]>;
  /** listAwaitingReport returns a link's `sent` deliveries still awaiting a receipt that were sent before a time, oldest first. */
  listAwaitingReport(linkId: string, before: string, limit: number): Promise<Delivery[]>;
  listDeliveriesByStatus(status: DeliveryStatus, limit: number): Promise<Delivery[]>;
  /** getDelivery reads one delivery; null when it does not exist. */
  getDelivery(id: string): Promise<Delivery | null>;
  /**
   * findDeliveriesBySmscIds returns deliveries on linkId that a receipt can
   * still change (queued, sending, sent) whose smsc_ids contain any of the
   * given forms as a substring (case-insensitive). A superset: the caller
   * checks each candidate.
   */
  findDeliveriesBySmscIds(linkId: string, forms: string[]): Promise<Delivery[]>;
  /** updateDelivery writes a delivery and resolves with the row's new `updated` stamp ('' when unknown). */
  updateDelivery(id: string, patch: DeliveryPatch): Promise<string>;
  updateLink(id: string, patch: LinkStatePatch): Promise<void>;
  /** storeInbound hands a text to PocketBase; throws StoreError (temporary or not). */
  storeInbound(text: InboundText): Promise<{ duplicate: boolean }>;
  /** subscribe starts realtime delivery of changes and resolves with an unsubscribe function. */
  subscribe(events: StoreEvents): Promise<() => Promise<void>>;
}

/** pbDate formats a time as PocketBase stores dates: "2026-01-02 03:04:05.678Z". */
export function pbDate(t: number | Date = Date.now()): string {
  return new Date(t).toISOString().replace('T', ' ');
}

/** parsePbDate reads a PocketBase date ('' → undefined). */
export function parsePbDate(s: string): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s.includes('T') ? s : s.replace(' ', 'T'));
  return Number.isNaN(t) ? undefined : t;
}
