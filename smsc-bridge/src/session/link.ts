// One SMSC link: a transceiver bind, or a transmitter + receiver pair, each
// kept up by its own loop (connect → bind → run until closed → back off →
// again), with a fresh connection and session every time. The link's state
// is what the admin page shows: disabled, connecting, bound, down,
// auth_failed.

import { EventEmitter } from 'node:events';
import type { Logger } from '../log.js';
import { ConnectError, openConnection, type TlsOptions } from '../transport/connection.js';
import { Status, statusName, type PDU } from '../transport/pdu.js';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import { BindError, LinkDownError, RequestTimeoutError } from './errors.js';
import { DEFAULT_TIMERS, SmppSession, type BindType, type Credentials, type InboundHandler, type SessionTimers } from './session.js';

/** LinkState is the state written to smsc_links.state. */
export type LinkState = 'disabled' | 'connecting' | 'bound' | 'down' | 'auth_failed';

/** LinkOptions configure a link. */
export interface LinkOptions {
  id: string;
  name: string;
  host: string;
  port: number;
  tls?: TlsOptions;
  credentials: Credentials;
  bind: 'trx' | 'tx_rx';
  window: number;
  timers?: Partial<SessionTimers>;
  connectTimeoutMs?: number;
  keepAliveMs?: number;
  reconnect?: BackoffPolicy;
  /** authPauseMs is the wait after the SMSC refused our credentials (0x0D, 0x0E, 0x0F). */
  authPauseMs?: number;
  /** alreadyBoundMs is the least wait after ESME_RALYBND: the SMSC still holds our old session. */
  alreadyBoundMs?: number;
  /** stableMs is how long a bind must last for the next failure to count as the first again. */
  stableMs?: number;
}

/** LinkDefaults are the timings used when LinkOptions leave them out. */
export const LINK_DEFAULTS = {
  connectTimeoutMs: 10_000,
  keepAliveMs: 30_000,
  reconnect: { baseMs: 1_000, maxMs: 60_000, factor: 2, jitter: 0.5 } as BackoffPolicy,
  authPauseMs: 300_000,
  alreadyBoundMs: 30_000,
  stableMs: 30_000,
};

/** StopOptions bound a graceful stop. */
export interface StopOptions {
  /** drainMs is how long to wait for in-flight requests and inbound handlers. */
  drainMs: number;
  /** unbindTimeoutMs is how long to wait for unbind_resp. */
  unbindTimeoutMs: number;
}

type SlotStatus = 'connecting' | 'bound' | 'down' | 'auth_failed' | 'stopped';

interface Slot {
  type: BindType;
  status: SlotStatus;
  session?: SmppSession;
  failures: number;
  loop?: Promise<void>;
}

const AUTH_FAILURES: ReadonlySet<number> = new Set([Status.ESME_RBINDFAIL, Status.ESME_RINVPASWD, Status.ESME_RINVSYSID]);

function readableBindError(err: unknown): string {
  if (err instanceof BindError) {
    switch (err.status) {
      case Status.ESME_RINVPASWD:
        return 'The SMSC refused the password (ESME_RINVPASWD)';
      case Status.ESME_RINVSYSID:
        return 'The SMSC does not know this system_id (ESME_RINVSYSID)';
      case Status.ESME_RBINDFAIL:
        return 'The SMSC refused the bind (ESME_RBINDFAIL): check system_id, password and system_type';
      case Status.ESME_RALYBND:
        return 'The SMSC says this account is already bound (ESME_RALYBND); waiting for it to drop the old session';
    }
    return `The SMSC refused the bind: ${statusName(err.status)} (0x${err.status.toString(16)})`;
  }
  if (err instanceof RequestTimeoutError) return 'The SMSC did not answer the bind in time';
  if (err instanceof ConnectError || err instanceof LinkDownError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * SmppLink keeps the binds of one smsc_links row up. Events: 'state'
 * (state, lastError) on every change of state, 'bound' (bind type) per bind,
 * 'reconnect' each time a bound session ends and a new attempt starts.
 */
export class SmppLink extends EventEmitter {
  readonly opts: LinkOptions;
  state: LinkState = 'disabled';
  lastError = '';
  /** reconnects counts bound sessions that ended while the link was running. */
  reconnects = 0;
  /** lastDrop says why the last bound session ended ('' before any did). */
  lastDrop = '';
  /** boundSince is when the link last became bound (ms since epoch; 0 while not bound). */
  boundSince = 0;

  private readonly log: Logger;
  private readonly onInbound?: InboundHandler;
  private timers: SessionTimers;
  private reconnectPolicy: BackoffPolicy;
  private reconnectTimes: number[] = [];
  private slots: Slot[];
  private window: number;
  private running = false;
  private sleeps = new Set<() => void>();
  private abort = new AbortController();

  constructor(opts: LinkOptions, deps: { log: Logger; onInbound?: InboundHandler }) {
    super();
    this.opts = opts;
    this.log = deps.log.child({ link: opts.name });
    this.onInbound = deps.onInbound;
    this.timers = { ...DEFAULT_TIMERS, ...opts.timers };
    this.reconnectPolicy = opts.reconnect ?? LINK_DEFAULTS.reconnect;
    this.window = Math.max(1, opts.window);
    const types: BindType[] = opts.bind === 'tx_rx' ? ['transmitter', 'receiver'] : ['transceiver'];
    this.slots = types.map((type) => ({ type, status: 'stopped', failures: 0 }));
  }

  /** ready reports whether submit_sm can go out now. */
  get ready(): boolean {
    return this.transmitter()?.isBound ?? false;
  }

  /** windowInUse is the number of submit_sm awaiting their response. */
  get windowInUse(): number {
    return this.transmitter()?.windowInUse ?? 0;
  }

  /** windowSize is the configured window. */
  get windowSize(): number {
    return this.window;
  }

  /** bindsUp lists, per bind type, whether it is bound now. */
  bindsUp(): { type: BindType; bound: boolean }[] {
    return this.slots.map((s) => ({ type: s.type, bound: s.session?.isBound ?? false }));
  }

  /** timings are the session deadlines in force. */
  get timings(): SessionTimers {
    return { ...this.timers };
  }

  /** setTimers changes keepalive and deadlines of the live sessions and of future ones. */
  setTimers(timers: Partial<SessionTimers>): void {
    this.timers = { ...this.timers, ...timers };
    for (const s of this.slots) s.session?.setTimers(this.timers);
  }

  /** setReconnect changes the backoff between reconnect attempts, from the next one on. */
  setReconnect(policy: BackoffPolicy): void {
    this.reconnectPolicy = policy;
  }

  /** enquireRttMs is the round trip of the last answered enquire_link of the live sessions (-1: none yet). */
  get enquireRttMs(): number {
    return Math.max(-1, ...this.slots.map((s) => s.session?.enquireRttMs ?? -1));
  }

  /** reconnectsWithin counts the bound sessions that ended in the last `ms` (default an hour). */
  reconnectsWithin(ms = 3_600_000, now = Date.now()): number {
    this.reconnectTimes = this.reconnectTimes.filter((t) => now - t < 3_600_000);
    return this.reconnectTimes.filter((t) => now - t < ms).length;
  }

  /** setWindow changes the window of the live and of future sessions. */
  setWindow(n: number): void {
    this.window = Math.max(1, Math.floor(n));
    for (const s of this.slots) s.session?.setWindow(this.window);
  }

  /** start begins binding; it returns at once. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    for (const slot of this.slots) {
      slot.status = 'connecting';
      slot.failures = 0;
    }
    this.updateState();
    for (const slot of this.slots) slot.loop = this.runSlot(slot);
  }

  /**
   * submit sends a submit_sm through the transmitting session (waiting for
   * a window slot) and resolves with the response PDU, whatever its status.
   * Rejects with LinkDownError when no transmitter is bound.
   */
  submit(fields: Record<string, unknown>, timeoutMs?: number, beforeWrite?: () => Promise<void>): Promise<PDU> {
    const s = this.transmitter();
    if (!s || !s.isBound) return Promise.reject(new LinkDownError(`link ${this.opts.name} is not bound`, false));
    return s.request('submit_sm', fields, { ...(timeoutMs ? { timeoutMs } : {}), beforeWrite });
  }

  /**
   * stop ends the link gracefully: no new binds, each bound session drains
   * its window (up to drainMs), unbinds and waits for unbind_resp (up to
   * unbindTimeoutMs); sessions not bound yet are closed. Resolves when every
   * loop has ended; the state is then 'disabled'.
   */
  async stop(opts: StopOptions): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.abort.abort();
    for (const wake of this.sleeps) wake();
    await Promise.all(
      this.slots.map(async (slot) => {
        const s = slot.session;
        if (s?.isBound) {
          await s.drain(opts.drainMs);
          await s.unbind(opts.unbindTimeoutMs);
        } else {
          s?.close('link stopping');
        }
        await slot.loop;
      }),
    );
    for (const slot of this.slots) slot.status = 'stopped';
    this.updateState();
  }

  /** waitForState resolves when the link reaches state, or rejects after timeoutMs. */
  waitForState(state: LinkState, timeoutMs: number): Promise<void> {
    if (this.state === state) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onState = (s: LinkState) => {
        if (s !== state) return;
        clearTimeout(timer);
        this.off('state', onState);
        resolve();
      };
      const timer = setTimeout(() => {
        this.off('state', onState);
        reject(new Error(`link ${this.opts.name} did not reach ${state} within ${timeoutMs} ms (is ${this.state}: ${this.lastError})`));
      }, timeoutMs);
      this.on('state', onState);
    });
  }

  private transmitter(): SmppSession | undefined {
    return this.slots[0].session;
  }

  private async runSlot(slot: Slot): Promise<void> {
    const o = this.opts;
    while (this.running) {
      const policy = this.reconnectPolicy;
      let session: SmppSession | undefined;
      let delay: number;
      try {
        const lib = await openConnection({
          host: o.host,
          port: o.port,
          tls: o.tls,
          connectTimeoutMs: o.connectTimeoutMs ?? LINK_DEFAULTS.connectTimeoutMs,
          keepAliveMs: o.keepAliveMs ?? LINK_DEFAULTS.keepAliveMs,
          signal: this.abort.signal,
        });
        session = new SmppSession(lib, {
          window: this.window,
          timers: this.timers,
          log: this.log.child({ bind: slot.type }),
          onInbound: this.onInbound,
        });
        slot.session = session;
        if (!this.running) {
          session.close('link stopping');
          break;
        }
        await session.bind(slot.type, o.credentials);
        slot.status = 'bound';
        this.log.info({ bind: slot.type, session: session.id }, 'bound');
        this.updateState();
        this.emit('bound', slot.type);
        const info = await session.closed;
        if (!this.running) break;
        const lasted = Date.now() - session.boundAt;
        slot.failures = lasted >= (o.stableMs ?? LINK_DEFAULTS.stableMs) ? 1 : slot.failures + 1;
        slot.status = 'down';
        this.lastError = this.lastDrop = `Connection lost: ${info.reason}`;
        this.reconnects++;
        this.reconnectTimes.push(Date.now());
        if (this.reconnectTimes.length > 1000) this.reconnectTimes.shift();
        this.emit('reconnect', slot.type);
        this.log.warn({ bind: slot.type, reason: info.reason, lastedMs: lasted }, 'session ended; reconnecting');
        delay = backoffDelay(slot.failures, policy);
      } catch (err) {
        session?.close('bind failed');
        if (!this.running) break;
        slot.failures++;
        this.lastError = readableBindError(err);
        if (err instanceof BindError && AUTH_FAILURES.has(err.status)) {
          slot.status = 'auth_failed';
          delay = o.authPauseMs ?? LINK_DEFAULTS.authPauseMs;
        } else if (err instanceof BindError && err.status === Status.ESME_RALYBND) {
          slot.status = 'down';
          delay = Math.max(o.alreadyBoundMs ?? LINK_DEFAULTS.alreadyBoundMs, backoffDelay(slot.failures, policy));
        } else {
          slot.status = 'down';
          delay = backoffDelay(slot.failures, policy);
        }
        this.log.warn({ bind: slot.type, err: this.lastError, retryInMs: delay }, 'bind failed');
      }
      this.updateState();
      await this.sleep(delay);
    }
    slot.session = undefined;
  }

  private sleep(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleeps.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleeps.add(wake);
    });
  }

  private updateState(): void {
    const st = this.slots.map((s) => s.status);
    let next: LinkState;
    if (!this.running || st.every((s) => s === 'stopped')) next = 'disabled';
    else if (st.includes('auth_failed')) next = 'auth_failed';
    else if (st.every((s) => s === 'bound')) next = 'bound';
    else if (st.includes('down')) next = 'down';
    else next = 'connecting';
    if (next === 'bound') this.lastError = '';
    if (next === this.state) return;
    this.boundSince = next === 'bound' ? Date.now() : 0;
    this.state = next;
    this.emit('state', next, this.lastError);
  }
}
