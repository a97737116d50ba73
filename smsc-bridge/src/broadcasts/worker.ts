// The broadcast worker: asks PocketBase to release the next recipients of
// running broadcasts (`POST /api/broadcasts/release`, services only), again
// as soon as the answer says (the cap's gap, or a short wait while the link's
// queue is long), and every idle interval otherwise. PocketBase decides what
// goes, in one transaction per broadcast, so this loop holds no state: a
// restart of either process resumes where the database says
// (docs/broadcasts.md, "Where the releasing runs").

import type PocketBase from 'pocketbase';
import type { Logger } from '../log.js';

/** BroadcastWorkerOptions tune the worker; tests shorten the times. */
export interface BroadcastWorkerOptions {
  /** pb is signed in as a services account */
  pb: PocketBase;
  log: Logger;
  /** the longest wait between two asks; default 1 s */
  idleMs?: number;
  /** the shortest wait between two asks; default 50 ms */
  minMs?: number;
  /** the wait after a failed ask (PocketBase restarting); default 2 s */
  errorMs?: number;
}

/** Release is PocketBase's answer to one ask. */
export interface Release {
  running: number;
  released: number;
  skipped: number;
  failed: number;
  wait_ms: number;
}

/** BroadcastWorker keeps asking PocketBase to release broadcast texts until stopped. */
export class BroadcastWorker {
  private readonly pb: PocketBase;
  private readonly log: Logger;
  private readonly idleMs: number;
  private readonly minMs: number;
  private readonly errorMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private waiters: { after: number; resolve: () => void }[] = [];
  /** asks is how many asks have been answered (or failed) so far. */
  asks = 0;

  constructor(opts: BroadcastWorkerOptions) {
    this.pb = opts.pb;
    this.log = opts.log.child({ component: 'broadcasts' });
    this.idleMs = opts.idleMs ?? 1000;
    this.minMs = opts.minMs ?? 50;
    this.errorMs = opts.errorMs ?? 2000;
  }

  /** start begins asking at once. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** stop ends the loop and waits for the ask in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** afterAsks resolves once n more asks have been answered (tests wait on it instead of sleeping). */
  afterAsks(n: number): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ after: this.asks + n, resolve }));
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.ask().finally(() => (this.running = undefined));
    }, ms);
  }

  private async ask(): Promise<void> {
    let next = this.idleMs;
    try {
      const r = await this.pb.send<Release>('/api/broadcasts/release', { method: 'POST', requestKey: null });
      if (r.released || r.skipped || r.failed) this.log.debug(r, 'broadcast texts released');
      next = Math.min(this.idleMs, Math.max(this.minMs, Number(r.wait_ms) || this.idleMs));
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'cannot release broadcast texts yet');
      next = this.errorMs;
    }
    this.asks++;
    this.waiters = this.waiters.filter((w) => (w.after <= this.asks ? (w.resolve(), false) : true));
    this.schedule(next);
  }
}
