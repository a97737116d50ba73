// Fault-suite fixtures (issue 16): an SMSC that behaves like a real one
// about what it hands over (receipts and MO texts are sent again until the
// bridge answers 0x00), the bridge bundle as its own process (so it can be
// killed with SIGKILL), a steady stream of texts through the API, and the
// tally that compares what the SMSC accepted with what the appliance shows.

import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import type PocketBase from 'pocketbase';
import { SmscSimulator, type SimSubmit, type SubmitAction } from '../../smsc-bridge/test/smsc-simulator.js';

const root = resolve(import.meta.dirname, '..', '..');

/** sleep waits ms. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** between returns a random number in [a, b). */
export const between = (a: number, b: number) => a + Math.random() * (b - a);

/**
 * ReliableSmsc wraps the simulator: every accepted submit_sm gets a
 * DELIVRD receipt a little later, and receipts and MO texts are resent
 * (every retryMs) until a bound session answers them with 0x00, as an SMSC
 * does. Submits are answered after answerMs (so windows are in use when a
 * fault strikes).
 */
export class ReliableSmsc {
  readonly sim: SmscSimulator;
  answerMs: [number, number] = [0, 20];
  private receipts: { id: string; sub: SimSubmit; due: number }[] = [];
  private mos: { body: string; from: string; to: string; due: number }[] = [];
  /** ackedReceipts lists, per receipt answered 0x00, the text of its submit_sm */
  readonly ackedReceipts: string[] = [];
  mosAcked = 0;
  private timer?: NodeJS.Timeout;
  private busy = false;

  private constructor(sim: SmscSimulator) {
    this.sim = sim;
    sim.onSubmit = async (s): Promise<SubmitAction> => {
      const delayMs = Math.round(between(...this.answerMs));
      const id = sim.newId();
      this.receipts.push({ id, sub: s, due: Date.now() + delayMs + between(20, 400) });
      return { id, delayMs, receipt: false };
    };
    this.timer = setInterval(() => void this.pump(), 50);
  }

  static async start(): Promise<ReliableSmsc> {
    return new ReliableSmsc(await SmscSimulator.start());
  }

  /** pending is how many receipts and MO texts still wait for a 0x00. */
  get pending(): number {
    return this.receipts.length + this.mos.length;
  }

  /** sendMo queues an MO text from `from` to `to` (digits, TON 1). */
  sendMo(from: string, to: string, body: string): void {
    this.mos.push({ from, to, body, due: Date.now() });
  }

  /** accepted lists the submits the SMSC accepted (an id was answered, or would have been). */
  accepted(): SimSubmit[] {
    return this.sim.submits.filter((s) => s.id !== undefined);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.sim.close();
  }

  private async pump(): Promise<void> {
    if (this.busy || this.sim.boundSessions().length === 0) return;
    this.busy = true;
    try {
      const now = Date.now();
      const receipts = this.receipts.filter((r) => r.due <= now).slice(0, 20);
      const mos = this.mos.filter((m) => m.due <= now).slice(0, 5);
      await Promise.all([
        ...receipts.map(async (r) => {
          const ok = await this.sim.sendReceipt(r.id, { style: 'both' }, r.sub).then((p) => p.command_status === 0, () => false);
          if (ok) {
            this.receipts.splice(this.receipts.indexOf(r), 1);
            this.ackedReceipts.push(r.sub.short_message.toString('latin1'));
          } else r.due = Date.now() + 300;
        }),
        ...mos.map(async (m) => {
          const ok = await this.sim
            .deliver({ source_addr: m.from, destination_addr: m.to, short_message: Buffer.from(m.body, 'latin1') }, 3000)
            .then((p) => p.command_status === 0, () => false);
          if (ok) {
            this.mos.splice(this.mos.indexOf(m), 1);
            this.mosAcked++;
          } else m.due = Date.now() + 300;
        }),
      ]);
    } finally {
      this.busy = false;
    }
  }
}

/** BridgeProcess is the bridge bundle (build/smsc-bridge.mjs) run as its own process. */
export class BridgeProcess {
  proc: ChildProcess | null = null;
  output = '';
  starts = 0;

  constructor(private readonly env: Record<string, string>) {}

  start(): void {
    this.starts++;
    const p = spawn(process.execPath, [join(root, 'build', 'smsc-bridge.mjs')], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    p.stdout!.on('data', (d) => (this.output += d));
    p.stderr!.on('data', (d) => (this.output += d));
    this.proc = p;
  }

  /** kill sends a signal and resolves once the process exited. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((ok) => p.once('exit', () => ok()));
    p.kill(signal);
    await exited;
    this.proc = null;
  }
}

/** retrying calls fn until it resolves (PocketBase may be stopped, frozen or restarting). */
export async function retrying<T>(fn: () => Promise<T>, deadlineMs = 120_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > end) throw err;
      await sleep(200);
    }
  }
}

/** Tally is one run's count, per text and per receipt / MO text. */
export interface Tally {
  scenario: string;
  run: number;
  texts: number;
  delivered: number;
  /** unknown: shown "may not have been sent"; accepted says how many of those the SMSC had in fact taken */
  unknown: number;
  unknown_accepted: number;
  /** failed although the SMSC accepted it */
  failed_accepted: number;
  /** failed although it never reached the SMSC */
  failed_never_sent: number;
  /** still queued, sending or sent at the end */
  stuck: number;
  /** neither delivered nor honestly unknown */
  lost: number;
  /** accepted more than once by the SMSC */
  duplicates: number;
  duplicates_visible: number;
  submits: number;
  receipts_acked: number;
  inbound: number;
  inbound_stored: number;
  inbound_lost: number;
  inbound_twice: number;
  faults: number;
  seconds: number;
}

/** tally reads the final state of a run's texts from PocketBase and compares it with the SMSC. */
export async function tally(
  su: PocketBase,
  smsc: ReliableSmsc,
  info: { scenario: string; run: number; tag: string; texts: string[]; mos: string[]; faults: number; started: number },
): Promise<Tally> {
  const rows = await su.collection('deliveries').getFullList({ filter: su.filter('body ~ {:tag}', { tag: `${info.tag}-t` }), requestKey: null });
  const byBody = new Map(rows.map((r) => [r.body as string, r]));
  const accepted = new Map<string, number>();
  let submits = 0;
  for (const s of smsc.sim.submits) {
    const body = s.short_message.toString('latin1');
    if (!body.startsWith(`${info.tag}-t`)) continue;
    submits++;
    if (s.id !== undefined) accepted.set(body, (accepted.get(body) ?? 0) + 1);
  }
  const t: Tally = {
    scenario: info.scenario,
    run: info.run,
    texts: info.texts.length,
    delivered: 0,
    unknown: 0,
    unknown_accepted: 0,
    failed_accepted: 0,
    failed_never_sent: 0,
    stuck: 0,
    lost: 0,
    duplicates: 0,
    duplicates_visible: 0,
    submits,
    receipts_acked: smsc.ackedReceipts.filter((b) => b.startsWith(`${info.tag}-t`)).length,
    inbound: info.mos.length,
    inbound_stored: 0,
    inbound_lost: 0,
    inbound_twice: 0,
    faults: info.faults,
    seconds: (Date.now() - info.started) / 1000,
  };
  for (const body of info.texts) {
    const d = byBody.get(body);
    const n = accepted.get(body) ?? 0;
    const status = d?.status ?? 'missing';
    if (status === 'delivered') t.delivered++;
    else if (status === 'unknown') {
      t.unknown++;
      if (n > 0) t.unknown_accepted++;
    } else if (status === 'failed') {
      if (n > 0) t.failed_accepted++;
      else t.failed_never_sent++;
    } else t.stuck++;
    if (status !== 'delivered' && status !== 'unknown') t.lost++;
    if (n > 1) {
      t.duplicates++;
      if (d?.maybe_duplicate === true) t.duplicates_visible++;
    }
  }
  const inbound = await su.collection('inbound_log').getFullList({ filter: su.filter('body ~ {:tag}', { tag: `${info.tag}-m` }), requestKey: null });
  for (const body of info.mos) {
    const n = inbound.filter((r) => r.body === body).length;
    if (n >= 1) t.inbound_stored++;
    else t.inbound_lost++;
    if (n > 1) t.inbound_twice++;
  }
  return t;
}

/** settled polls until every text of the run is final and the SMSC has nothing left to hand over. */
export async function settle(su: PocketBase, smsc: ReliableSmsc, tag: string, texts: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const rows = await su
      .collection('deliveries')
      .getFullList({ filter: su.filter('body ~ {:tag}', { tag: `${tag}-t` }), fields: 'status', requestKey: null })
      .catch(() => null);
    const final = rows?.filter((r) => r.status === 'delivered' || r.status === 'unknown' || r.status === 'failed').length ?? 0;
    if (rows && rows.length === texts && final === texts && smsc.pending === 0) return;
    await sleep(300);
  }
}

/** totals sums tallies. */
export function totals(list: Tally[]): Omit<Tally, 'scenario' | 'run'> & { runs: number } {
  const sum = { runs: list.length } as Omit<Tally, 'scenario' | 'run'> & { runs: number };
  for (const t of list) {
    for (const [k, v] of Object.entries(t)) {
      if (k === 'scenario' || k === 'run') continue;
      const key = k as keyof typeof sum;
      (sum[key] as number) = ((sum[key] as number | undefined) ?? 0) + (v as number);
    }
  }
  sum.seconds = Math.round(sum.seconds * 10) / 10;
  return sum;
}
