// Texts in: a deliver_sm or data_sm becomes either a delivery receipt
// (handed to the ReceiptTracker) or a text for PocketBase. Text is decoded
// from the raw octets by its data_coding (23.038 groups, the link's default
// alphabet for 0x00); long texts are joined from 8- and 16-bit UDH
// references, SAR TLVs or message_payload; a text whose parts stop coming
// is stored with a marker where parts are missing. The answer to the
// deliver_sm waits for the store: 0x00 once stored, ESME_RX_T_APPN when
// PocketBase is unreachable (the SMSC retries), ESME_RX_P_APPN when it
// refuses the text. A receipt, and a held part of a long text, is answered
// once it is durable in the journal: a receipt is applied at once when
// PocketBase answers within ackWaitMs, else retried from the journal.

import { decodeShortMessage, parseDataCoding } from '../codec/data-coding.js';
import { parseUdh, type ConcatInfo } from '../codec/udh.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { Status, readInboundSm, type InboundSm, type PDU } from '../transport/pdu.js';
import { inboundAddress } from './address.js';
import { DedupeMemo, contentHash, type DedupeOptions } from './dedupe.js';
import type { HeldPart, Journal, JournalRecord } from './journal.js';
import { isReceipt, readReceipt, type Receipt, type ReceiptTracker } from './receipts.js';
import { StoreError, type LinkConfig, type Store } from './store.js';

/** MISSING_PART stands where a part of a long text never arrived. */
export const MISSING_PART = '[part missing]';

/** InboundLink is what inbound handling needs to know about the link a PDU came on. */
export type InboundLink = Pick<LinkConfig, 'id' | 'name' | 'default_alphabet' | 'id_format'>;

/** InboundOptions tune reassembly and dedupe. */
export interface InboundOptions {
  /** reassemblyTimeoutMs is how long the parts of a long text are awaited after the first one. */
  reassemblyTimeoutMs?: number;
  /** maxGroups bounds the long texts being joined at once; the oldest is flushed when exceeded. */
  maxGroups?: number;
  /** completedMemoMs is how long a joined text's parts are recognised when the SMSC sends them again. */
  completedMemoMs?: number;
  /** maxCompleted bounds that memo; the oldest go first. */
  maxCompleted?: number;
  /** flushRetry is the backoff for storing a timed-out text while PocketBase is down. */
  flushRetryMs?: number;
  /** ackWaitMs: how long a journaled receipt's answer waits for its store before answering anyway. */
  ackWaitMs?: number;
  /** receiptRetryMs is the first pause before storing a journaled receipt again (doubling to 30 s). */
  receiptRetryMs?: number;
  dedupe?: DedupeOptions;
}

const CHARSET_DECODERS: Record<string, string> = {
  'ISO-8859-5': 'iso-8859-5',
  'ISO-8859-8': 'iso-8859-8',
  'ISO-2022-JP': 'iso-2022-jp',
  'KS C 5601': 'euc-kr',
};

/**
 * decodeText decodes a short_message (UDH skipped) by its data_coding. Binary
 * and compressed content, which no person can read as text, becomes a
 * bracketed note with the octets in hex so that nothing is silently lost.
 */
export function decodeText(bytes: Uint8Array, dcs: number, link: Pick<LinkConfig, 'default_alphabet'>, headerLength = 0): string {
  const coding = parseDataCoding(dcs, { defaultAlphabet: link.default_alphabet });
  const body = bytes.subarray(Math.min(headerLength, bytes.length));
  if (coding.alphabet === '8BIT' && coding.charset && CHARSET_DECODERS[coding.charset]) {
    try {
      return new TextDecoder(CHARSET_DECODERS[coding.charset], { fatal: true }).decode(body);
    } catch {
      // not what the data_coding claims; fall through to the binary note
    }
  }
  if (coding.alphabet === '8BIT' || coding.compressed) {
    return `[binary message, ${body.length} octets: ${Buffer.from(body).toString('hex')}]`;
  }
  return decodeShortMessage(bytes, dcs, { defaultAlphabet: link.default_alphabet, headerLength });
}

interface Part {
  text: string;
  raw: string;
}

interface Group {
  key: string;
  link: InboundLink;
  from: string;
  to: string;
  concat: ConcatInfo;
  parts: Map<number, Part>;
  firstAt: number;
  storing: boolean;
  timer?: NodeJS.Timeout;
  flushAttempts: number;
}

interface Completed {
  parts: Map<number, string>;
  at: number;
}

/** Context is where a PDU came from: the session tells resends from repeats. */
export interface InboundContext {
  sessionId: number;
}

/**
 * InboundPipeline handles every deliver_sm and data_sm of every link.
 * handle() resolves with the command_status to answer with.
 */
export class InboundPipeline {
  private groups = new Map<string, Group>();
  private completed = new Map<string, Completed>();
  private readonly memo: DedupeMemo;
  private readonly store: Store;
  private readonly receipts: ReceiptTracker;
  private readonly journal: Journal;
  private readonly log: Logger;
  private readonly metrics?: Metrics;
  private readonly opts: Required<Omit<InboundOptions, 'dedupe'>>;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(deps: { store: Store; receipts: ReceiptTracker; journal: Journal; log: Logger; metrics?: Metrics }, opts: InboundOptions = {}) {
    this.store = deps.store;
    this.receipts = deps.receipts;
    this.journal = deps.journal;
    this.log = deps.log;
    this.metrics = deps.metrics;
    this.memo = new DedupeMemo(opts.dedupe);
    this.opts = {
      reassemblyTimeoutMs: opts.reassemblyTimeoutMs ?? 120_000,
      maxGroups: opts.maxGroups ?? 10_000,
      completedMemoMs: opts.completedMemoMs ?? 10 * 60_000,
      maxCompleted: opts.maxCompleted ?? 20_000,
      flushRetryMs: opts.flushRetryMs ?? 5_000,
      ackWaitMs: opts.ackWaitMs ?? 2_000,
      receiptRetryMs: opts.receiptRetryMs ?? 500,
    };
  }

  /** pendingGroups is the number of long texts waiting for parts. */
  get pendingGroups(): number {
    return this.groups.size;
  }

  /** memory reports the sizes of what inbound handling keeps in memory (tests, health). */
  get memory(): { groups: number; completed: number; dedupe: number; receiptRetries: number } {
    return { groups: this.groups.size, completed: this.completed.size, dedupe: this.memo.size, receiptRetries: this.retryTimers.size };
  }

  /** handle processes one deliver_sm or data_sm and resolves with the status to answer. */
  async handle(link: InboundLink, pdu: PDU, ctx: InboundContext): Promise<number> {
    const sm = readInboundSm(pdu);
    if (isReceipt(sm)) return this.handleReceipt(link, sm);
    return this.handleText(link, sm, ctx, Date.now());
  }

  /**
   * close flushes every partly received text as incomplete (their parts
   * were acknowledged, so this is their last chance) within deadlineMs.
   */
  async close(deadlineMs: number): Promise<void> {
    this.closed = true;
    // receipts not stored yet stay in the journal for the next start
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    const groups = [...this.groups.values()].filter((g) => !g.storing);
    for (const g of groups) clearTimeout(g.timer);
    const flush = Promise.all(groups.map((g) => this.flush(g, false)));
    await Promise.race([flush, new Promise((r) => setTimeout(r, deadlineMs))]);
    for (const g of this.groups.values()) clearTimeout(g.timer);
  }

  private async handleReceipt(link: InboundLink, sm: InboundSm): Promise<number> {
    const r = readReceipt(sm);
    if (!r) {
      this.log.warn({ link: link.name, esm_class: sm.esm_class }, 'a receipt without id or stat; acknowledged and ignored');
      return Status.ESME_ROK;
    }
    const k = this.journal.newKey();
    try {
      await this.journal.append({ t: 'r', k, l: link.id, f: link.id_format, r });
    } catch (err) {
      this.log.error({ err, link: link.name, id: r.id }, 'cannot journal a receipt; asking the SMSC to resend it');
      return Status.ESME_RX_T_APPN;
    }
    // durable now: answer once it is stored, or after ackWaitMs while it keeps trying from the journal
    const applied = this.applyReceipt(link.id, link.id_format, r, k, 1);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([applied, new Promise<void>((resolve) => (timer = setTimeout(resolve, this.opts.ackWaitMs)))]);
    clearTimeout(timer);
    return Status.ESME_ROK;
  }

  /** replayReceipt applies a receipt found open in the journal at start. */
  replayReceipt(rec: Extract<JournalRecord, { t: 'r' }>): Promise<void> {
    return this.applyReceipt(rec.l, rec.f, rec.r, rec.k, 1);
  }

  /** restoreParts takes back the held parts of long texts found in the journal at start. */
  restoreParts(groups: HeldPart[][]): void {
    for (const parts of groups) {
      if (parts.length === 0) continue;
      const first = parts[0];
      const g = this.openGroup(first.g, first.link, first.from, first.to, first.c, Math.min(...parts.map((p) => p.at)));
      for (const p of parts) g.parts.set(p.c.seq, { text: p.text, raw: p.raw });
    }
  }

  // resolves once the receipt's fate is settled in this process (stored, held, or handed to a retry timer)
  private async applyReceipt(linkId: string, format: InboundLink['id_format'], r: Receipt, k: string, attempt: number): Promise<void> {
    try {
      const result = await this.receipts.onReceipt(linkId, format, r, k);
      this.log.debug({ link: linkId, id: r.id, stat: r.stat, result }, 'receipt');
    } catch (err) {
      if (err instanceof StoreError && !err.temporary) {
        this.log.error({ err, link: linkId, id: r.id }, 'PocketBase refused a receipt; dropping it');
        this.journal.note({ t: 'rs', k });
        return;
      }
      if (this.closed) return;
      const delay = Math.min(30_000, this.opts.receiptRetryMs * 2 ** Math.min(attempt - 1, 8));
      if (attempt % 10 === 1) this.log.warn({ err: (err as Error).message, link: linkId, id: r.id, retryInMs: delay }, 'storing a receipt failed; it waits in the journal');
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.retryTimers.delete(t);
          resolve();
        }, delay);
        this.retryTimers.add(t);
      });
      if (!this.closed) void this.applyReceipt(linkId, format, r, k, attempt + 1);
    }
  }

  private async handleText(link: InboundLink, sm: InboundSm, ctx: InboundContext, arrived: number): Promise<number> {
    const content = sm.message_payload && sm.message_payload.length > 0 ? sm.message_payload : sm.short_message;
    let concat: ConcatInfo | undefined;
    let headerLength = 0;
    if (sm.esm_class & 0x40) {
      const udh = parseUdh(content);
      if (udh.ok) {
        headerLength = udh.headerLength;
        concat = udh.concat;
      } else {
        this.log.warn({ link: link.name, error: udh.error }, 'unreadable UDH; reading the whole message as text');
      }
    } else if (sm.sar && sm.sar.total > 0 && sm.sar.seq >= 1 && sm.sar.seq <= sm.sar.total) {
      concat = { ref: sm.sar.ref, total: sm.sar.total, seq: sm.sar.seq, ref16: true };
    }
    const text = decodeText(content, sm.data_coding, link, headerLength);
    const from = inboundAddress(sm.source_addr, sm.source_addr_ton);
    const to = inboundAddress(sm.destination_addr, sm.dest_addr_ton);
    if (!concat || concat.total === 1) {
      return this.deliver(link, from, to, text, '-', false, ctx, arrived);
    }
    return this.addPart(link, from, to, concat, { text, raw: content.toString('base64') }, ctx, arrived);
  }

  private async deliver(
    link: InboundLink,
    from: string,
    to: string,
    body: string,
    concat: string,
    incomplete: boolean,
    ctx: InboundContext,
    arrived: number,
  ): Promise<number> {
    const h = contentHash({ link: link.id, from, to, concat, body });
    const dedupe_key = `${link.id}:${this.memo.keyFor(h, ctx.sessionId)}`;
    try {
      const { duplicate } = await this.store.storeInbound({ link: link.id, from, to, body, dedupe_key, incomplete });
      this.memo.stored(h, dedupe_key.slice(link.id.length + 1), ctx.sessionId, Date.now() - arrived);
      if (!duplicate) this.metrics?.inbound.inc({ link: link.name });
      this.log.info({ link: link.name, from, to, dedupe_key, duplicate, incomplete }, 'inbound text stored');
      return Status.ESME_ROK;
    } catch (err) {
      if (err instanceof StoreError && !err.temporary) {
        this.log.error({ err: err.message, status: err.status, link: link.name, from, to }, 'PocketBase refused an inbound text; answering ESME_RX_P_APPN');
        return Status.ESME_RX_P_APPN;
      }
      this.log.warn({ err: (err as Error).message, link: link.name, from, to }, 'PocketBase unreachable; answering ESME_RX_T_APPN so the SMSC retries');
      return Status.ESME_RX_T_APPN;
    }
  }

  private async addPart(link: InboundLink, from: string, to: string, c: ConcatInfo, part: Part, ctx: InboundContext, arrived: number): Promise<number> {
    const key = [link.id, from, to, c.ref16 ? 'r16' : 'r8', c.ref, c.total].join('|');
    const done = this.completed.get(key);
    if (done && done.parts.get(c.seq) === part.raw) {
      this.log.info({ link: link.name, from, ref: c.ref, seq: c.seq }, 'part of a text already stored came again; acknowledged');
      return Status.ESME_ROK;
    }
    const g = this.groups.get(key) ?? this.openGroup(key, link, from, to, c, arrived);
    if (g.parts.has(c.seq)) {
      // the SMSC sent this part again before the rest came: it is already held
      return Status.ESME_ROK;
    }
    g.parts.set(c.seq, part);
    if (g.parts.size < c.total || g.storing) {
      // held until the text is complete: answered once it is durable in the journal
      const l = { id: link.id, name: link.name, default_alphabet: link.default_alphabet, id_format: link.id_format };
      try {
        await this.journal.append({ t: 'p', g: key, link: l, from, to, c, text: part.text, raw: part.raw, at: arrived });
      } catch (err) {
        this.log.error({ err, link: link.name }, 'cannot journal a part of a long text; asking the SMSC to resend it');
        g.parts.delete(c.seq);
        return Status.ESME_RX_T_APPN;
      }
      return Status.ESME_ROK;
    }
    g.storing = true;
    const status = await this.deliver(link, from, to, this.join(g), `${c.ref}/${c.total}`, false, ctx, arrived);
    g.storing = false;
    if (status === Status.ESME_ROK || status === Status.ESME_RX_P_APPN) {
      this.finish(g);
    } else {
      // the SMSC will send this part again; without it the text is not complete
      g.parts.delete(c.seq);
    }
    return status;
  }

  private openGroup(key: string, link: InboundLink, from: string, to: string, c: ConcatInfo, firstAt: number): Group {
    const g: Group = { key, link, from, to, concat: c, parts: new Map(), firstAt, storing: false, flushAttempts: 0 };
    this.groups.set(key, g);
    g.timer = setTimeout(() => void this.flush(g, true), Math.max(0, firstAt + this.opts.reassemblyTimeoutMs - Date.now()));
    this.evictGroups();
    return g;
  }

  private join(g: Group): string {
    let out = '';
    for (let seq = 1; seq <= g.concat.total; seq++) out += g.parts.get(seq)?.text ?? MISSING_PART;
    return out;
  }

  private finish(g: Group): void {
    clearTimeout(g.timer);
    this.groups.delete(g.key);
    this.journal.note({ t: 'pd', g: g.key });
    const now = Date.now();
    for (const [k, v] of this.completed) {
      if (now - v.at <= this.opts.completedMemoMs && this.completed.size < this.opts.maxCompleted) break;
      this.completed.delete(k);
    }
    this.completed.set(g.key, { parts: new Map([...g.parts].map(([seq, p]) => [seq, p.raw])), at: now });
  }

  // a text whose parts stopped coming: store what arrived, with markers
  private async flush(g: Group, retry: boolean): Promise<void> {
    if (g.storing || !this.groups.has(g.key)) return;
    g.storing = true;
    const missing = g.concat.total - g.parts.size;
    this.log.warn({ link: g.link.name, from: g.from, ref: g.concat.ref, total: g.concat.total, missing }, 'long text incomplete after timeout; storing what arrived');
    const status = await this.deliver(g.link, g.from, g.to, this.join(g), `${g.concat.ref}/${g.concat.total}/partial`, true, { sessionId: -1 }, Date.now());
    g.storing = false;
    if (status !== Status.ESME_RX_T_APPN) {
      this.finish(g);
      return;
    }
    if (!retry || this.closed) return;
    g.flushAttempts++;
    const delay = Math.min(60_000, this.opts.flushRetryMs * 2 ** Math.min(g.flushAttempts - 1, 4));
    g.timer = setTimeout(() => void this.flush(g, true), delay);
  }

  private evictGroups(): void {
    if (this.groups.size <= this.opts.maxGroups) return;
    for (const g of this.groups.values()) {
      if (this.groups.size <= this.opts.maxGroups) break;
      if (g.storing) continue;
      clearTimeout(g.timer);
      void this.flush(g, true);
      break;
    }
  }
}
