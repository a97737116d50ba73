// The bridge's journal: an append-only file in the data directory that
// records, durably and in order, how far each delivery got (each part about
// to be written to the socket, accepted with its id, or answered without
// being accepted; the outcome decided; the outcome stored in PocketBase),
// each delivery receipt taken from the SMSC until its effect is stored, and
// each held part of a long inbound text until the whole text is stored.
// Appends are fsynced in small batches (group commit): a caller awaits the
// batch that carries its record. On start the bridge replays what PocketBase
// does not know yet (docs/bridge.md, "The journal"). The file is rewritten
// with only the open entries when it grows past maxBytes.

import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { MessageIdMode } from '../codec/receipt.js';
import type { ConcatInfo } from '../codec/udh.js';
import type { Receipt } from './receipts.js';
import type { DeliveryPatch } from './store.js';

/** HeldPart is one part of a long inbound text, acknowledged and held until the text is complete. */
export interface HeldPart {
  g: string;
  link: { id: string; name: string; default_alphabet: 'GSM7' | 'IA5' | 'LATIN1'; id_format: MessageIdMode };
  from: string;
  to: string;
  c: ConcatInfo;
  text: string;
  raw: string;
  at: number;
}

/** JournalRecord is one line of the journal. */
export type JournalRecord =
  /** w: part p of delivery d (attempt a, n parts) is about to be written to the socket */
  | { t: 'w'; d: string; a: number; p: number; n: number }
  /** a: the SMSC accepted part p with id */
  | { t: 'a'; d: string; a: number; p: number; id: string }
  /** x: part p was answered without being accepted, or was certainly not written */
  | { t: 'x'; d: string; a: number; p: number }
  /** o: the outcome of attempt a is decided and about to be stored */
  | { t: 'o'; d: string; a: number; patch: DeliveryPatch }
  /** s: PocketBase stored the delivery's state; nothing about it needs replaying */
  | { t: 's'; d: string }
  /** r: a receipt was taken from the SMSC (it is acknowledged once this is durable) */
  | { t: 'r'; k: string; l: string; f: MessageIdMode; r: Receipt }
  /** rs: the receipt's effect is stored (or it was dropped unmatched) */
  | { t: 'rs'; k: string }
  /** p: a part of a long inbound text is held (acknowledged once this is durable) */
  | ({ t: 'p' } & HeldPart)
  /** pd: the long text g is stored; its parts need not be replayed */
  | { t: 'pd'; g: string };

/** PartState is how far one part of a delivery got in its current attempt. */
export type PartState = 'written' | 'accepted' | 'refused';

/** DeliveryTrail is what the journal knows of a delivery that PocketBase may not know yet. */
export interface DeliveryTrail {
  d: string;
  a: number;
  n: number;
  parts: (PartState | undefined)[];
  ids: string[];
  outcome?: DeliveryPatch;
}

/** JournalSink is where the journal's bytes live: a file, or memory in tests. */
export interface JournalSink {
  /** existed says whether there was a journal before (false: no history, e.g. the first start after an upgrade). */
  readonly existed: boolean;
  read(): string;
  /** append writes data and resolves once it is durable. */
  append(data: string): Promise<void>;
  /** rewrite replaces the whole content atomically. */
  rewrite(data: string): Promise<void>;
  close(): Promise<void>;
}

/** FileSink keeps the journal in a file: appended with write + fdatasync, rewritten through a temporary file and rename. */
export class FileSink implements JournalSink {
  readonly existed: boolean;
  private handle?: FileHandle;

  constructor(private readonly path: string) {
    this.existed = existsSync(path);
  }

  read(): string {
    return this.existed ? readFileSync(this.path, 'utf8') : '';
  }

  async append(data: string): Promise<void> {
    this.handle ??= await open(this.path, 'a', 0o600);
    await this.handle.write(data);
    await this.handle.datasync();
  }

  async rewrite(data: string): Promise<void> {
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    await this.handle?.close();
    this.handle = undefined;
    renameSync(tmp, this.path);
    // the rename itself is durable once the directory is
    const dir = openSync(dirname(this.path), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }
}

/** MemorySink keeps the journal in a string: a test "restarts" by opening a new Journal on the same sink. */
export class MemorySink implements JournalSink {
  data = '';
  existed: boolean;

  constructor(existed = true) {
    this.existed = existed;
  }

  read(): string {
    return this.data;
  }

  async append(data: string): Promise<void> {
    await Promise.resolve();
    this.data += data;
  }

  async rewrite(data: string): Promise<void> {
    this.data = data;
  }

  async close(): Promise<void> {}
}

/** JournalOptions bound the file. */
export interface JournalOptions {
  /** maxBytes: past this the file is rewritten with only what is still open. */
  maxBytes?: number;
  /** noteDelayMs bounds how long a note() waits for a batch to ride with. */
  noteDelayMs?: number;
}

/**
 * Journal records the bridge's progress durably. append() resolves once the
 * record is on disk; records appended while a batch is being written go in
 * the next batch. The journal keeps in memory only what is still open
 * (deliveries not stored, receipts not applied, parts of texts not stored),
 * so its memory follows the work in flight, not the history.
 */
export class Journal {
  /** fresh is true when there was no journal before this start: its silence about a delivery proves nothing. */
  readonly fresh: boolean;
  private readonly sink: JournalSink;
  private readonly maxBytes: number;
  private readonly trails = new Map<string, DeliveryTrail>();
  private readonly receipts = new Map<string, Extract<JournalRecord, { t: 'r' }>>();
  private readonly held = new Map<string, Map<number, HeldPart>>();
  private pending: string[] = [];
  private waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  private writing = false;
  private noteTimer?: NodeJS.Timeout;
  private readonly noteDelayMs: number;
  private bytes = 0;
  private keySeq = 0;
  private readonly keyPrefix = Date.now().toString(36);
  /** flushes counts the batches written (for tests and /metrics). */
  flushes = 0;

  constructor(sink: JournalSink, opts: JournalOptions = {}) {
    this.sink = sink;
    this.fresh = !sink.existed;
    this.maxBytes = opts.maxBytes ?? 4 * 1024 * 1024;
    this.noteDelayMs = opts.noteDelayMs ?? 20;
    const text = sink.read();
    this.bytes = text.length;
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        this.apply(JSON.parse(line) as JournalRecord);
      } catch {
        // a torn last line from a crash mid-write: what it said was never acknowledged
      }
    }
  }

  /** openFile opens (or creates) the journal at path. */
  static openFile(path: string, opts?: JournalOptions): Journal {
    return new Journal(new FileSink(path), opts);
  }

  /** memory returns a journal in memory (tests, benchmarks). */
  static memory(sink = new MemorySink(true)): Journal {
    return new Journal(sink);
  }

  /** newKey returns a key unique to this journal for a receipt record. */
  newKey(): string {
    return `${this.keyPrefix}.${(this.keySeq++).toString(36)}`;
  }

  /** append records rec and resolves once it is durable. */
  append(rec: JournalRecord): Promise<void> {
    this.apply(rec);
    this.pending.push(JSON.stringify(rec));
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.writing) void this.flush();
    return done;
  }

  /**
   * note records rec without waiting for it to be durable: it rides with the
   * next append's batch, or is written within noteDelayMs. For records whose
   * loss a replay tolerates (an outcome PocketBase already has, a receipt
   * already applied): the next start merely redoes that step.
   */
  note(rec: JournalRecord): void {
    this.apply(rec);
    this.pending.push(JSON.stringify(rec));
    if (this.writing || this.noteTimer) return;
    this.noteTimer = setTimeout(() => {
      this.noteTimer = undefined;
      if (!this.writing && this.pending.length > 0) void this.flush();
    }, this.noteDelayMs);
  }

  /** openTrails lists the deliveries whose state PocketBase may not have yet. */
  openTrails(): DeliveryTrail[] {
    return [...this.trails.values()].map((t) => structuredClone(t));
  }

  /** trail returns what the journal knows of delivery d. */
  trail(d: string): DeliveryTrail | undefined {
    return this.trails.get(d);
  }

  /** openReceipts lists receipts taken whose effect is not stored yet. */
  openReceipts(): Extract<JournalRecord, { t: 'r' }>[] {
    return [...this.receipts.values()];
  }

  /** heldParts lists the parts of long texts held, by group. */
  heldParts(): HeldPart[][] {
    return [...this.held.values()].map((m) => [...m.values()]);
  }

  /** openCount is how many entries are open (deliveries, receipts, held parts). */
  get openCount(): number {
    let parts = 0;
    for (const m of this.held.values()) parts += m.size;
    return this.trails.size + this.receipts.size + parts;
  }

  /** close writes what is pending and closes the file. */
  async close(): Promise<void> {
    clearTimeout(this.noteTimer);
    this.noteTimer = undefined;
    if (this.pending.length > 0 || this.writing) await this.append({ t: 'rs', k: '' }).catch(() => {});
    await this.sink.close();
  }

  private apply(rec: JournalRecord): void {
    switch (rec.t) {
      case 'w': {
        let t = this.trails.get(rec.d);
        if (!t || t.a !== rec.a || t.n !== rec.n) {
          t = { d: rec.d, a: rec.a, n: rec.n, parts: new Array(rec.n).fill(undefined), ids: new Array(rec.n).fill('') };
          this.trails.set(rec.d, t);
        }
        t.parts[rec.p] = 'written';
        return;
      }
      case 'a':
      case 'x': {
        const t = this.trails.get(rec.d);
        if (!t || t.a !== rec.a) return;
        t.parts[rec.p] = rec.t === 'a' ? 'accepted' : 'refused';
        if (rec.t === 'a') t.ids[rec.p] = rec.id;
        return;
      }
      case 'o': {
        const t = this.trails.get(rec.d);
        if (t && t.a === rec.a) t.outcome = rec.patch;
        else this.trails.set(rec.d, { d: rec.d, a: rec.a, n: 0, parts: [], ids: [], outcome: rec.patch });
        return;
      }
      case 's':
        this.trails.delete(rec.d);
        return;
      case 'r':
        this.receipts.set(rec.k, rec);
        return;
      case 'rs':
        this.receipts.delete(rec.k);
        return;
      case 'p': {
        const { t: _t, ...part } = rec;
        let m = this.held.get(rec.g);
        if (!m) this.held.set(rec.g, (m = new Map()));
        m.set(rec.c.seq, part);
        return;
      }
      case 'pd':
        this.held.delete(rec.g);
        return;
    }
  }

  // the records that rebuild exactly the open state
  private snapshot(): string {
    const lines: JournalRecord[] = [];
    for (const t of this.trails.values()) {
      t.parts.forEach((s, p) => {
        if (!s) return;
        lines.push({ t: 'w', d: t.d, a: t.a, p, n: t.n });
        if (s === 'accepted') lines.push({ t: 'a', d: t.d, a: t.a, p, id: t.ids[p] });
        if (s === 'refused') lines.push({ t: 'x', d: t.d, a: t.a, p });
      });
      if (t.outcome) lines.push({ t: 'o', d: t.d, a: t.a, patch: t.outcome });
    }
    for (const r of this.receipts.values()) lines.push(r);
    for (const m of this.held.values()) for (const p of m.values()) lines.push({ t: 'p', ...p });
    return lines.map((l) => JSON.stringify(l) + '\n').join('');
  }

  private async flush(): Promise<void> {
    this.writing = true;
    clearTimeout(this.noteTimer);
    this.noteTimer = undefined;
    try {
      while (this.pending.length > 0) {
        const lines = this.pending.splice(0);
        const waiters = this.waiters.splice(0);
        const data = lines.join('\n') + '\n';
        try {
          if (this.bytes + data.length > this.maxBytes) {
            // the in-memory state already includes these records: the snapshot carries them
            const snap = this.snapshot();
            await this.sink.rewrite(snap);
            this.bytes = snap.length;
          } else {
            await this.sink.append(data);
            this.bytes += data.length;
          }
          this.flushes++;
          for (const w of waiters) w.resolve();
        } catch (err) {
          for (const w of waiters) w.reject(err);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
