// The broadcast worker: asks PocketBase to release the next recipients of
// running broadcasts (`POST /api/broadcasts/release`, services only), again
// as soon as the answer says (the cap's gap, or a short wait while the link's
// queue is long). When the answer says nothing runs it stops asking and waits
// for the `broadcasts_due` topic (published when a broadcast is started or
// resumed), with a slow safety poll and one ask on each realtime reconnect in
// case a wake-up was missed. PocketBase decides what goes, in one transaction
// per broadcast, so this loop holds no state: a restart of either process
// resumes where the database says (docs/broadcasts.md, "Pace").

import type PocketBase from 'pocketbase';
import type { Logger } from '../log.js';

/** BROADCASTS_DUE_TOPIC is the realtime topic on which the hooks wake the worker (pb_hooks/lib/realtime.ts, BROADCASTS_DUE). */
export const BROADCASTS_DUE_TOPIC = 'broadcasts_due';

/** BroadcastWorkerOptions tune the worker; tests shorten the times. */
export interface BroadcastWorkerOptions {
  /** pb is signed in as a services account */
  pb: PocketBase;
  log: Logger;
  /** the longest wait between two asks while a broadcast runs; default 1 s */
  idleMs?: number;
  /** the shortest wait between two asks; default 50 ms */
  minMs?: number;
  /** the wait after a failed ask (PocketBase restarting); default 2 s */
  errorMs?: number;
  /** the wait while no broadcast runs, unless `broadcasts_due` or a reconnect comes first; default 60 s */
  safetyMs?: number;
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
  private readonly safetyMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** asking is true from the start of an ask until its next one is scheduled */
  private asking = false;
  /** woken is set by a wake-up that came while an ask was in flight: its answer may predate the change */
  private woken = false;
  private unsubscribes: (() => Promise<void>)[] = [];
  private waiters: { after: number; resolve: () => void }[] = [];
  /** asks is how many asks have been answered (or failed) so far. */
  asks = 0;

  constructor(opts: BroadcastWorkerOptions) {
    this.pb = opts.pb;
    this.log = opts.log.child({ component: 'broadcasts' });
    this.idleMs = opts.idleMs ?? 1000;
    this.minMs = opts.minMs ?? 50;
    this.errorMs = opts.errorMs ?? 2000;
    this.safetyMs = opts.safetyMs ?? 60_000;
  }

  /** start subscribes to the wake-ups, then asks at once (work left by a restart is found without one). */
  async start(): Promise<void> {
    this.stopped = false;
    try {
      this.unsubscribes.push(await this.pb.realtime.subscribe(BROADCASTS_DUE_TOPIC, () => this.wake()));
      // the link was down: a wake-up may have been missed
      this.unsubscribes.push(await this.pb.realtime.subscribe('PB_CONNECT', () => this.wake()));
    } catch (err) {
      // the safety poll still finds the work, a minute late at most
      this.log.warn({ err: (err as Error).message }, 'cannot subscribe to broadcast wake-ups');
    }
    this.schedule(0);
  }

  /** stop ends the loop and waits for the ask in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const unsubscribes = this.unsubscribes;
    this.unsubscribes = [];
    for (const u of unsubscribes) await u().catch(() => {});
    await this.running;
  }

  /** afterAsks resolves once n more asks have been answered (tests wait on it instead of sleeping). */
  afterAsks(n: number): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ after: this.asks + n, resolve }));
  }

  // an extra ask never breaks a broadcast's pace: PocketBase releases only what is due
  private wake(): void {
    if (this.stopped) return;
    if (this.asking) this.woken = true;
    else this.schedule(0);
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
    this.asking = true;
    this.woken = false;
    try {
      const r = await this.pb.send<Release>('/api/broadcasts/release', { method: 'POST', requestKey: null });
      if (r.released || r.skipped || r.failed) this.log.debug(r, 'broadcast texts released');
      if (Number(r.running) > 0) next = Math.min(this.idleMs, Math.max(this.minMs, Number(r.wait_ms) || this.idleMs));
      // nothing runs: wait for a wake-up (one that came during this ask may be newer than its answer)
      else next = this.woken ? 0 : this.safetyMs;
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'cannot release broadcast texts yet');
      next = this.errorMs;
    }
    this.asking = false;
    this.asks++;
    this.waiters = this.waiters.filter((w) => (w.after <= this.asks ? (w.resolve(), false) : true));
    this.schedule(next);
  }
}
