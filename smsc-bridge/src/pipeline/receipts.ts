// Delivery receipts: reading one out of a deliver_sm (TLVs first, the text
// as fallback, decoded as Latin-1 or UCS-2, never GSM), matching it to the
// delivery part whose submit_sm_resp gave that id (raw, hex/decimal or
// leading-zero forms, per link), combining the receipts of a long message's
// parts, and holding receipts that arrive before their submit_sm_resp.
// Each receipt carries the key of its journal record; the tracker reports
// the keys whose effect is stored (or that it dropped), so the journal can
// forget them (journal.ts).

import { decodeUcs2 } from '../codec/ucs2.js';
import { isFinalState, messageIdKeys, messageStateName, parseReceipt, type MessageIdMode } from '../codec/receipt.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { InboundSm } from '../transport/pdu.js';
import { pbDate, type Delivery, type DeliveryPatch, type Store } from './store.js';

/** Receipt is what a delivery receipt says, whatever its form. */
export interface Receipt {
  id: string;
  /** stat is the 7-letter receipt stat (DELIVRD, UNDELIV…), from message_state when present. */
  stat: string;
  err?: string;
  networkError?: string;
}

// message_state names as the receipt text spells them
const STATE_TO_STAT: Record<string, string> = {
  SCHEDULED: 'SCHEDULED',
  ENROUTE: 'ENROUTE',
  DELIVERED: 'DELIVRD',
  EXPIRED: 'EXPIRED',
  DELETED: 'DELETED',
  UNDELIVERABLE: 'UNDELIV',
  ACCEPTED: 'ACCEPTD',
  UNKNOWN: 'UNKNOWN',
  REJECTED: 'REJECTD',
  SKIPPED: 'SKIPPED',
};

/** isReceipt reports whether a deliver_sm is a receipt: esm_class message type bits, or a receipted_message_id TLV. */
export function isReceipt(sm: InboundSm): boolean {
  return (sm.esm_class & 0x3c) !== 0 || sm.receipted_message_id !== undefined;
}

/** receiptText decodes the text of a receipt: UCS-2 when data_coding says so, else Latin-1 (not GSM: ids hold '_' and '@'). */
export function receiptText(sm: InboundSm): string {
  const bytes = sm.message_payload && sm.message_payload.length > 0 ? sm.message_payload : sm.short_message;
  if ((sm.data_coding & 0x0f) === 0x08 || (sm.data_coding & 0xec) === 0x08) return decodeUcs2(bytes);
  return bytes.toString('latin1');
}

/**
 * readReceipt extracts a receipt: receipted_message_id and message_state
 * TLVs when present (network_error_code too), the appendix B text for
 * anything they leave out. Returns null when neither gives an id and a stat.
 */
export function readReceipt(sm: InboundSm): Receipt | null {
  const parsed = parseReceipt(receiptText(sm));
  const id = sm.receipted_message_id?.trim() || parsed?.id;
  const stateName = sm.message_state !== undefined ? messageStateName(sm.message_state) : undefined;
  const stat = stateName ? STATE_TO_STAT[stateName] : parsed?.stat;
  if (!id || !stat) return null;
  const r: Receipt = { id, stat };
  if (parsed?.err !== undefined) r.err = parsed.err;
  if (sm.network_error_code && sm.network_error_code.length >= 3) {
    const nec = sm.network_error_code;
    const type = ['', 'ANSI-136', 'IS-95', 'GSM', 'ANSI-41'][nec[0]] || `type ${nec[0]}`;
    r.networkError = `${type} ${nec.readUInt16BE(1)}`;
  }
  return r;
}

/** idModes reads a link's id_format: how to read the submit_sm_resp id and the receipt id. */
export function idModes(format: MessageIdMode): { submit: MessageIdMode; receipt: MessageIdMode } {
  // 'hex': submit_sm_resp gives hex and receipts the same number in decimal; 'decimal' the other way round
  if (format === 'hex') return { submit: 'hex', receipt: 'decimal' };
  if (format === 'decimal') return { submit: 'decimal', receipt: 'hex' };
  return { submit: format, receipt: format };
}

/** lookupForms are substrings of the stored submit id that a receipt id implies, for a store search. */
export function lookupForms(receiptId: string, format: MessageIdMode): string[] {
  const lower = receiptId.trim().toLowerCase();
  const forms = messageIdKeys(receiptId, format === 'auto' ? 'auto' : 'raw');
  if (format === 'hex' && /^[0-9]+$/.test(lower)) forms.push(BigInt(lower).toString(16));
  if (format === 'decimal' && /^[0-9a-f]+$/.test(lower)) forms.push(BigInt('0x' + lower).toString(10));
  return [...new Set(forms.map((f) => f.replace(/^0+(?=.)/, '')).filter((f) => f !== ''))];
}

/** statReason is the readable reason for a failed receipt. */
export function statReason(r: Receipt): string {
  const what: Record<string, string> = {
    UNDELIV: 'could not be delivered',
    EXPIRED: 'expired before it could be delivered',
    DELETED: 'was deleted by the SMSC',
    REJECTD: 'was rejected by the network',
    UNKNOWN: 'ended in an unknown state',
  };
  const detail = [r.err && r.err !== '000' ? `error ${r.err}` : '', r.networkError ? `network error ${r.networkError}` : '']
    .filter(Boolean)
    .join(', ');
  return `The carrier reports the message ${what[r.stat] ?? `ended as ${r.stat}`} (${r.stat}${detail ? ', ' + detail : ''})`;
}

type PartState = 'pending' | 'delivered' | 'failed' | 'assumed';

interface Entry {
  deliveryId: string;
  linkId: string;
  format: MessageIdMode;
  ids: string[];
  states: PartState[];
  /** written says the delivery is stored as sent, so a final outcome is ours to write. */
  written: boolean;
  failure?: { error: string; code: string };
  at: number;
  /** keys of the journaled receipts whose effect this entry holds until its outcome is stored */
  keys: string[];
}

/** ReceiptOutcome is the combined status of a delivery's parts, once final. */
export type ReceiptOutcome = { status: 'delivered' } | { status: 'failed'; error: string; code: string };

/** ReceiptResult says what became of one receipt. */
export type ReceiptResult = 'applied' | 'recorded' | 'buffered' | 'ignored';

/** TrackerOptions bound the tracker's memory. */
export interface TrackerOptions {
  /** earlyTtlMs is how long a receipt without a known id is kept for its submit_sm_resp. */
  earlyTtlMs?: number;
  /** lookupDelayMs: a receipt that came while submits were in flight is looked up in the store only after this. */
  lookupDelayMs?: number;
  maxEarly?: number;
  /** entryTtlMs drops parts that never got a receipt from memory (the store lookup still finds them). */
  entryTtlMs?: number;
  maxEntries?: number;
  /** writeRetries bounds the attempts to store an outcome a receipt decided during the `sent` write. */
  writeRetries?: number;
}

/**
 * ReceiptTracker matches receipts to delivery parts. The outbound side
 * calls begin() before submitting, recordPart() for each id, and
 * markWritten() once the delivery is stored as sent; the inbound side
 * calls onReceipt(). A delivery's final status is written by whichever side
 * comes last, so a receipt that beats the `sent` write is never lost or
 * overwritten.
 */
export class ReceiptTracker {
  private entries = new Map<string, Entry>();
  private byKey = new Map<string, { entry: Entry; part: number }>();
  // one holder per receipt, under each of its id forms; `left` counts the forms still mapped
  private early = new Map<string, { receipt: Receipt; at: number; key: string; left: number }>();
  private inFlight = new Map<string, number>();
  private readonly store: Store;
  private readonly log: Logger;
  private readonly metrics?: Metrics;
  private readonly opts: Required<TrackerOptions>;
  private readonly linkNames = new Map<string, string>();
  private readonly onSettled: (keys: string[]) => void;

  constructor(deps: { store: Store; log: Logger; metrics?: Metrics; onSettled?: (keys: string[]) => void }, opts: TrackerOptions = {}) {
    this.store = deps.store;
    this.log = deps.log;
    this.metrics = deps.metrics;
    this.onSettled = deps.onSettled ?? (() => {});
    this.opts = {
      earlyTtlMs: opts.earlyTtlMs ?? 10 * 60_000,
      lookupDelayMs: opts.lookupDelayMs ?? 5_000,
      maxEarly: opts.maxEarly ?? 20_000,
      entryTtlMs: opts.entryTtlMs ?? 72 * 3600_000,
      maxEntries: opts.maxEntries ?? 200_000,
      writeRetries: opts.writeRetries ?? 30,
    };
  }

  /** size is how many deliveries are tracked (for tests and health). */
  get size(): number {
    return this.entries.size;
  }

  /** earlyCount is how many receipts wait for their submit_sm_resp. */
  get earlyCount(): number {
    return this.early.size;
  }

  /** setLinkName records a link's name for metrics labels. */
  setLinkName(linkId: string, name: string): void {
    this.linkNames.set(linkId, name);
  }

  /** submitStarted and submitEnded bracket each submit_sm: a receipt nobody knows yet may be for one of them. */
  submitStarted(linkId: string): void {
    this.inFlight.set(linkId, (this.inFlight.get(linkId) ?? 0) + 1);
  }

  submitEnded(linkId: string): void {
    this.inFlight.set(linkId, Math.max(0, (this.inFlight.get(linkId) ?? 1) - 1));
  }

  /** begin starts (or resumes, for a retry) tracking a delivery about to be submitted. */
  begin(deliveryId: string, linkId: string, format: MessageIdMode, ids: string[]): void {
    let e = this.entries.get(deliveryId);
    if (!e || e.linkId !== linkId || e.ids.length !== ids.length) {
      if (e) this.drop(e);
      e = { deliveryId, linkId, format, ids: ids.map(() => ''), states: ids.map(() => 'pending'), written: false, at: Date.now(), keys: [] };
      this.entries.set(deliveryId, e);
      this.evict();
    }
    e.written = false;
    ids.forEach((id, i) => {
      if (id && !e.ids[i]) this.recordPart(deliveryId, i, id);
    });
  }

  /** recordPart indexes the id submit_sm_resp gave a part and applies a receipt that came first. */
  recordPart(deliveryId: string, part: number, id: string): void {
    const e = this.entries.get(deliveryId);
    if (!e || !id) return;
    e.ids[part] = id;
    const keys = messageIdKeys(id, idModes(e.format).submit);
    for (const k of keys) this.byKey.set(`${e.linkId}|${k}`, { entry: e, part });
    for (const k of keys) {
      const early = this.early.get(`${e.linkId}|${k}`);
      if (!early) continue;
      for (const rk of messageIdKeys(early.receipt.id, idModes(e.format).receipt)) this.early.delete(`${e.linkId}|${rk}`);
      this.log.debug({ delivery: deliveryId, id }, 'receipt had arrived before its submit_sm_resp; applied');
      this.setPart(e, part, early.receipt, early.key).catch((err: unknown) =>
        this.log.error({ err, delivery: deliveryId }, 'storing an early receipt failed; it waits in the journal'),
      );
      break;
    }
  }

  /** outcome returns the combined final status of a delivery's parts, or null while any is open. */
  outcome(deliveryId: string): ReceiptOutcome | null {
    const e = this.entries.get(deliveryId);
    return e ? this.combine(e) : null;
  }

  /**
   * markWritten tells the tracker what the outbound side stored. After
   * 'sent' the tracker writes the final status itself when the last
   * receipt comes (or now, if it came during the write). 'queued' keeps the
   * parts that were accepted for the retry; 'delivered'/'failed' end it.
   */
  async markWritten(deliveryId: string, status: 'sent' | 'queued' | 'delivered' | 'failed'): Promise<void> {
    const e = this.entries.get(deliveryId);
    if (!e) return;
    if (status === 'delivered' || status === 'failed') {
      this.drop(e);
      return;
    }
    if (status === 'queued') return;
    e.written = true;
    // a receipt that came during the `sent` write was acknowledged already: this write must not be lost
    // (it is journaled; past the retries the next start applies it)
    for (let attempt = 1; ; attempt++) {
      const outcome = this.combine(e);
      if (!outcome || !this.entries.has(deliveryId)) return;
      try {
        await this.writeOutcome(e, outcome);
        return;
      } catch (err) {
        if (attempt >= this.opts.writeRetries) throw err;
        await new Promise((r) => setTimeout(r, Math.min(5_000, 100 * 2 ** attempt)));
      }
    }
  }

  /**
   * forget stops tracking a delivery. settle=false keeps its receipts open
   * in the journal (their effect was not stored; the next start replays them).
   */
  forget(deliveryId: string, settle = true): void {
    const e = this.entries.get(deliveryId);
    if (e) this.drop(e, settle);
  }

  /**
   * onReceipt applies a receipt from linkId. It looks in memory, then in the
   * store (after a restart), and otherwise keeps the receipt for its
   * submit_sm_resp. It resolves once any resulting write is stored and
   * throws StoreError when the store fails, so the deliver_sm can be answered
   * with a temporary error and the SMSC sends the receipt again.
   */
  async onReceipt(linkId: string, format: MessageIdMode, r: Receipt, key = ''): Promise<ReceiptResult> {
    this.metrics?.receipts.inc({ link: this.linkNames.get(linkId) ?? linkId });
    // intermediate states (ENROUTE, ACCEPTD…) change nothing
    if (!isFinalState(r.stat)) {
      this.settle([key]);
      return 'ignored';
    }
    const modes = idModes(format);
    const keys = messageIdKeys(r.id, modes.receipt);
    const inMemory = () => {
      for (const k of keys) {
        const h = this.byKey.get(`${linkId}|${k}`);
        if (h) return h;
      }
      return undefined;
    };
    let hit = inMemory();
    if (!hit) {
      // the submit_sm_resp often came in the same read: let its handler record the id first
      await new Promise((resolve) => setImmediate(resolve));
      hit = inMemory();
    }
    if (!hit && (this.inFlight.get(linkId) ?? 0) > 0) {
      // most likely the receipt of a submit whose response is still on its way (a tx+rx pair):
      // hold it, and ask the store only if no response claims it in time
      this.buffer(linkId, keys, r, key);
      this.deferLookup(linkId, format, r, keys);
      return 'buffered';
    }
    if (!hit) {
      const found = await this.lookup(linkId, format, r.id, keys);
      if (found === 'done') {
        this.settle([key]);
        return 'ignored';
      }
      // the submit_sm_resp may have been recorded while the store was asked
      hit = inMemory() ?? found;
    }
    if (!hit) {
      this.buffer(linkId, keys, r, key);
      return 'buffered';
    }
    return this.setPart(hit.entry, hit.part, r, key);
  }

  private deferLookup(linkId: string, format: MessageIdMode, r: Receipt, keys: string[], attempt = 1): void {
    const timer = setTimeout(async () => {
      const waiting = keys.map((k) => this.early.get(`${linkId}|${k}`)).find((x) => x?.receipt === r);
      if (!waiting) return;
      try {
        const found = await this.lookup(linkId, format, r.id, keys);
        if (!found) return;
        for (const k of keys) this.early.delete(`${linkId}|${k}`);
        if (found === 'done') return this.settle([waiting.key]);
        await this.setPart(found.entry, found.part, r, waiting.key);
      } catch (err) {
        if (attempt < 5) this.deferLookup(linkId, format, r, keys, attempt + 1);
        else this.log.error({ err, id: r.id }, 'cannot apply a receipt: the store keeps failing');
      }
    }, this.opts.lookupDelayMs * attempt);
    timer.unref();
  }

  private async lookup(linkId: string, format: MessageIdMode, id: string, keys: string[]): Promise<{ entry: Entry; part: number } | 'done' | undefined> {
    const candidates = await this.store.findDeliveriesBySmscIds(linkId, lookupForms(id, format));
    const want = new Set(keys);
    const submitMode = idModes(format).submit;
    for (const d of candidates) {
      const part = d.smsc_ids.findIndex((sid) => sid !== '' && messageIdKeys(sid, submitMode).some((k) => want.has(k)));
      if (part < 0) continue;
      if (d.status === 'delivered' || d.status === 'failed') return 'done';
      return { entry: this.rebuild(d, linkId, format), part };
    }
    return undefined;
  }

  // a delivery found in the store after a restart: receipts for its other
  // parts may have come before the restart, so they count as delivered
  // unless a failure arrives (docs/bridge.md, "receipts after a restart")
  private rebuild(d: Delivery, linkId: string, format: MessageIdMode): Entry {
    const existing = this.entries.get(d.id);
    if (existing) return existing;
    const e: Entry = {
      deliveryId: d.id,
      linkId,
      format,
      ids: d.smsc_ids.slice(),
      states: d.smsc_ids.map((id) => (id ? 'assumed' : 'pending')),
      written: d.status === 'sent',
      at: Date.now(),
      keys: [],
    };
    this.entries.set(d.id, e);
    for (const [i, id] of e.ids.entries()) {
      if (id) for (const k of messageIdKeys(id, idModes(format).submit)) this.byKey.set(`${linkId}|${k}`, { entry: e, part: i });
    }
    return e;
  }

  private async setPart(e: Entry, part: number, r: Receipt, key = ''): Promise<ReceiptResult> {
    if (!isFinalState(r.stat)) {
      this.settle([key]);
      return 'ignored';
    }
    if (key) e.keys.push(key);
    if (r.stat === 'DELIVRD') {
      if (e.states[part] !== 'failed') e.states[part] = 'delivered';
    } else {
      e.states[part] = 'failed';
      e.failure ??= { error: statReason(r), code: r.err && r.err !== '000' ? r.err : (r.networkError ?? r.stat) };
    }
    const outcome = this.combine(e);
    if (!outcome || !e.written) return 'recorded';
    await this.writeOutcome(e, outcome);
    return 'applied';
  }

  private combine(e: Entry): ReceiptOutcome | null {
    if (e.states.includes('failed')) return { status: 'failed', error: e.failure!.error, code: e.failure!.code };
    if (e.states.every((s) => s === 'delivered' || s === 'assumed') && e.states.includes('delivered')) return { status: 'delivered' };
    return null;
  }

  private async writeOutcome(e: Entry, outcome: ReceiptOutcome): Promise<void> {
    const patch: DeliveryPatch =
      outcome.status === 'delivered'
        ? { status: 'delivered', done_at: pbDate(), error: '', error_code: '' }
        : { status: 'failed', done_at: pbDate(), error: outcome.error, error_code: outcome.code };
    await this.store.updateDelivery(e.deliveryId, patch);
    const link = this.linkNames.get(e.linkId) ?? e.linkId;
    if (outcome.status === 'delivered') this.metrics?.delivered.inc({ link });
    else this.metrics?.failed.inc({ link });
    this.drop(e);
  }

  private buffer(linkId: string, keys: string[], r: Receipt, key: string): void {
    const now = Date.now();
    for (const [k, v] of this.early) {
      if (now - v.at <= this.opts.earlyTtlMs && this.early.size + keys.length <= this.opts.maxEarly) break;
      this.early.delete(k);
      // one receipt sits under several id forms: settle it when its last form goes
      if (--v.left === 0) {
        this.log.info({ id: v.receipt.id, stat: v.receipt.stat }, 'dropping a receipt that matched no message awaiting one');
        this.settle([v.key]);
      }
    }
    const holder = { receipt: r, at: now, key, left: keys.length };
    for (const k of keys) this.early.set(`${linkId}|${k}`, holder);
  }

  private settle(keys: string[]): void {
    const real = keys.filter(Boolean);
    if (real.length > 0) this.onSettled(real);
  }

  private drop(e: Entry, settle = true): void {
    if (settle) this.settle(e.keys);
    e.keys = [];
    this.entries.delete(e.deliveryId);
    for (const id of e.ids) {
      if (!id) continue;
      for (const k of messageIdKeys(id, idModes(e.format).submit)) {
        const hit = this.byKey.get(`${e.linkId}|${k}`);
        if (hit?.entry === e) this.byKey.delete(`${e.linkId}|${k}`);
      }
    }
  }

  // oldest first: past entryTtlMs, or over maxEntries. A dropped part can still be found
  // through the store when its receipt comes; its journaled receipts stay open for the next start
  private evict(): void {
    const now = Date.now();
    for (const e of this.entries.values()) {
      if (this.entries.size <= this.opts.maxEntries && now - e.at <= this.opts.entryTtlMs) break;
      this.drop(e, false);
    }
  }
}
