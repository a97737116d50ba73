/// <reference path="../transport/smpp-lib.d.ts" />
// One SMPP session on one connection: bind, our own sequence numbers, a
// window of in-flight requests each with its own timer, enquire_link after
// bind with a response deadline, an inactivity watchdog, answers to what the
// SMSC sends (enquire_link, unbind, deliver_sm/data_sm, generic_nack for the
// rest) and unbind. A session is used once: when it closes, the link opens a
// new connection and a new session; nothing of the old one is reused.

import type { Session as LibSession } from 'smpp';
import type { Logger } from '../log.js';
import { INTERFACE_VERSION, Status, makePdu, smpp, statusHex, statusName, type PDU } from '../transport/pdu.js';
import { BindError, EncodeError, LinkDownError, RequestTimeoutError } from './errors.js';

/** BindType is the kind of bind: transceiver, or one half of a transmitter + receiver pair. */
export type BindType = 'transceiver' | 'transmitter' | 'receiver';

/** Credentials are what bind_* carries. */
export interface Credentials {
  system_id: string;
  password: string;
  system_type: string;
  addr_ton?: number;
  addr_npi?: number;
  address_range?: string;
}

/** SessionTimers are the deadlines a session keeps, in milliseconds. */
export interface SessionTimers {
  bindTimeoutMs: number;
  /** responseTimeoutMs bounds the wait for any response (submit_sm_resp and the rest). */
  responseTimeoutMs: number;
  /** enquireLinkMs is how long the link may be quiet before we send enquire_link. */
  enquireLinkMs: number;
  enquireLinkTimeoutMs: number;
  /** inactivityMs closes the session when nothing at all arrived for this long. */
  inactivityMs: number;
}

/** DEFAULT_TIMERS suit a carrier SMSC; a link's own settings replace them (setTimers applies them live). */
export const DEFAULT_TIMERS: SessionTimers = {
  bindTimeoutMs: 10_000,
  responseTimeoutMs: 30_000,
  enquireLinkMs: 30_000,
  enquireLinkTimeoutMs: 10_000,
  inactivityMs: 90_000,
};

/** InboundHandler answers a deliver_sm or data_sm: it resolves with the command_status to respond with. */
export type InboundHandler = (pdu: PDU, session: SmppSession) => Promise<number>;

/** CloseInfo says why a session ended. */
export interface CloseInfo {
  reason: string;
  /** byPeer is true when the SMSC ended it (unbind, socket closed) rather than us. */
  byPeer: boolean;
  error?: unknown;
}

/** SessionOptions configures a session. */
export interface SessionOptions {
  window: number;
  timers: SessionTimers;
  log: Logger;
  onInbound?: InboundHandler;
  onClose?: (info: CloseInfo, session: SmppSession) => void;
}

/** RequestOptions tune one request. */
export interface RequestOptions {
  /** bypassWindow sends at once without taking a window slot (bind, enquire_link, unbind). */
  bypassWindow?: boolean;
  timeoutMs?: number;
  /**
   * beforeWrite runs once the request has its window slot, right before it is
   * written to the socket (the bridge journals "about to write" there). If it
   * throws, nothing is written and the request rejects with its error.
   */
  beforeWrite?: () => Promise<void>;
}

interface InFlight {
  command: string;
  windowed: boolean;
  timer: NodeJS.Timeout;
  resolve: (pdu: PDU) => void;
  reject: (err: Error) => void;
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

const MAX_SEQUENCE = 0x7fffffff;
let sessionCounter = 0;

/** SessionState is where a session is in its life. */
export type SessionState = 'open' | 'binding' | 'bound' | 'unbinding' | 'closed';

/**
 * SmppSession wraps one connected package Session. It never reconnects:
 * after close() every pending request has been rejected, every listener
 * removed and the socket destroyed.
 */
export class SmppSession {
  /** id is unique in this process; it tells a resend on a new session from a repeat on the same one. */
  readonly id = ++sessionCounter;
  state: SessionState = 'open';
  bindType?: BindType;
  /** boundAt is when bind succeeded (ms since epoch). */
  boundAt = 0;
  /** enquireRttMs is the round trip of the last answered enquire_link (-1 before the first). */
  enquireRttMs = -1;
  /** closed resolves once, when the session has ended. */
  readonly closed: Promise<CloseInfo>;

  private readonly lib: LibSession;
  private readonly opts: SessionOptions;
  private readonly log: Logger;
  private window: number;
  private sequence = 0;
  private inFlight = new Map<number, InFlight>();
  private windowUsed = 0;
  private waiters: Waiter[] = [];
  private inboundPending = 0;
  private idleWaiters: (() => void)[] = [];
  private lastReceivedAt = Date.now();
  private lastSentAt = Date.now();
  private timers: SessionTimers;
  private keepaliveTimer?: NodeJS.Timeout;
  private enquirePending = false;
  private corked = false;
  private resolveClosed!: (info: CloseInfo) => void;
  private readonly listeners: [string, (...args: any[]) => void][];

  constructor(lib: LibSession, opts: SessionOptions) {
    this.lib = lib;
    this.opts = opts;
    this.log = opts.log;
    this.window = Math.max(1, opts.window);
    this.timers = { ...opts.timers };
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.listeners = [
      ['pdu', (pdu: PDU) => this.onPdu(pdu)],
      ['error', (err: Error) => this.close(`connection error: ${err.message}`, { byPeer: true, error: err })],
      ['close', () => this.close('connection closed by the SMSC', { byPeer: true })],
    ];
    for (const [event, fn] of this.listeners) lib.on(event, fn);
  }

  /** windowInUse is how many windowed requests are awaiting their response. */
  get windowInUse(): number {
    return this.windowUsed;
  }

  /** windowSize is the current window. */
  get windowSize(): number {
    return this.window;
  }

  /** isBound reports whether requests can be sent now. */
  get isBound(): boolean {
    return this.state === 'bound';
  }

  /** setTimers changes the deadlines; a bound session reschedules its keepalive at once. */
  setTimers(timers: SessionTimers): void {
    this.timers = { ...timers };
    if (this.state === 'bound') this.scheduleKeepalive();
  }

  /** setWindow changes the window; a larger one lets waiting requests go at once. */
  setWindow(n: number): void {
    this.window = Math.max(1, Math.floor(n));
    this.wakeWaiters();
  }

  /**
   * bind sends bind_<type> with interface_version 0x34 and resolves when
   * the SMSC accepts. A refusal rejects with BindError (its status tells
   * auth failure from "already bound"); no answer with RequestTimeoutError.
   */
  async bind(type: BindType, creds: Credentials): Promise<string> {
    if (this.state !== 'open') throw new LinkDownError(`cannot bind a session in state ${this.state}`, false);
    this.state = 'binding';
    this.bindType = type;
    const resp = await this.request(
      `bind_${type}`,
      {
        system_id: creds.system_id,
        password: creds.password,
        system_type: creds.system_type,
        interface_version: INTERFACE_VERSION,
        addr_ton: creds.addr_ton ?? 0,
        addr_npi: creds.addr_npi ?? 0,
        address_range: creds.address_range ?? '',
      },
      { bypassWindow: true, timeoutMs: this.timers.bindTimeoutMs },
    );
    if (resp.command_status !== Status.ESME_ROK) throw new BindError(resp.command_status);
    if (this.state !== 'binding') throw new LinkDownError('session closed during bind', true);
    this.state = 'bound';
    this.boundAt = Date.now();
    this.lastReceivedAt = this.lastSentAt = Date.now();
    this.scheduleKeepalive();
    return typeof resp.system_id === 'string' ? resp.system_id : '';
  }

  /**
   * request sends a request PDU and resolves with its response, whatever
   * its command_status (a generic_nack counts as the response). Unless
   * bypassWindow, it first waits for a window slot. It rejects with
   * LinkDownError when the session closes first (sent says whether the PDU
   * went out), RequestTimeoutError when no response comes in time, and
   * EncodeError when the PDU cannot be built.
   */
  async request(command: string, fields: Record<string, unknown>, ropts: RequestOptions = {}): Promise<PDU> {
    if (this.state === 'closed' || this.state === 'unbinding') {
      throw new LinkDownError(`session is ${this.state}`, false);
    }
    const windowed = !ropts.bypassWindow;
    if (windowed) await this.acquireSlot();
    if (ropts.beforeWrite) {
      try {
        await ropts.beforeWrite();
      } catch (err) {
        if (windowed) this.releaseSlot();
        throw err;
      }
    }
    const seq = this.nextSequence();
    let pdu: PDU;
    let bytes: Buffer;
    try {
      pdu = makePdu(command, { ...fields, sequence_number: seq });
      // encode now: the package throws from inside send() after registering callbacks
      bytes = pdu.toBuffer();
    } catch (err) {
      if (windowed) this.releaseSlot();
      throw new EncodeError(`cannot encode ${command}: ${(err as Error).message}`, { cause: err });
    }
    const timeoutMs = ropts.timeoutMs ?? this.timers.responseTimeoutMs;
    return new Promise<PDU>((resolve, reject) => {
      if (this.state === 'closed') {
        if (windowed) this.releaseSlot();
        reject(new LinkDownError('session closed', false));
        return;
      }
      const timer = setTimeout(() => {
        if (!this.inFlight.delete(seq)) return;
        if (windowed) this.releaseSlot();
        reject(new RequestTimeoutError(command, timeoutMs));
        this.notifyIdle();
      }, timeoutMs);
      this.inFlight.set(seq, { command, windowed, timer, resolve, reject });
      if (!this.writeRaw(bytes)) {
        this.inFlight.delete(seq);
        clearTimeout(timer);
        if (windowed) this.releaseSlot();
        reject(new LinkDownError('socket not writable', false));
      }
    });
  }

  /** drain resolves true once no request and no inbound handler is pending, false at the deadline. */
  drain(timeoutMs: number): Promise<boolean> {
    const idle = () => this.inFlight.size === 0 && this.inboundPending === 0;
    if (idle() || this.state === 'closed') return Promise.resolve(idle());
    return new Promise<boolean>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.idleWaiters = this.idleWaiters.filter((fn) => fn !== done);
        resolve(idle());
      };
      const timer = setTimeout(done, timeoutMs);
      this.idleWaiters.push(done);
    });
  }

  /** unbind sends unbind, waits for unbind_resp up to timeoutMs, then closes. */
  async unbind(timeoutMs: number): Promise<void> {
    if (this.state === 'closed') return;
    if (this.state === 'bound' || this.state === 'binding') {
      const p = this.request('unbind', {}, { bypassWindow: true, timeoutMs });
      this.state = 'unbinding';
      this.stopKeepalive();
      try {
        await p;
      } catch (err) {
        this.log.debug({ err: (err as Error).message }, 'no unbind_resp');
      }
    }
    this.close('unbound', { byPeer: false });
  }

  /**
   * close ends the session now: timers stop, pending requests reject
   * (LinkDownError with sent=true: outcome unknown), waiting ones reject
   * with sent=false, listeners go and the socket is destroyed. Idempotent.
   */
  close(reason: string, info: { byPeer?: boolean; error?: unknown } = {}): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.stopKeepalive();
    for (const [seq, f] of this.inFlight) {
      clearTimeout(f.timer);
      f.reject(new LinkDownError(`session closed (${reason}) before ${f.command}_resp`, true));
      this.inFlight.delete(seq);
    }
    this.windowUsed = 0;
    for (const w of this.waiters.splice(0)) w.reject(new LinkDownError(`session closed (${reason})`, false));
    for (const [event, fn] of this.listeners) this.lib.removeListener(event, fn);
    // the socket may still emit while it dies; without a listener that would crash the process
    this.lib.on('error', () => {});
    this.lib.destroy();
    this.notifyIdle();
    const closeInfo: CloseInfo = { reason, byPeer: info.byPeer ?? false, error: info.error };
    this.resolveClosed(closeInfo);
    try {
      this.opts.onClose?.(closeInfo, this);
    } catch (err) {
      this.log.error({ err }, 'onClose handler threw');
    }
  }

  private nextSequence(): number {
    this.sequence = this.sequence >= MAX_SEQUENCE ? 1 : this.sequence + 1;
    return this.sequence;
  }

  // PDUs written in the same tick leave in one system call (cork until the next tick)
  private writeRaw(bytes: Buffer): boolean {
    const socket = this.lib.socket;
    if (!socket.writable) return false;
    if (!this.corked) {
      this.corked = true;
      socket.cork();
      process.nextTick(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    socket.write(bytes);
    this.lastSentAt = Date.now();
    return true;
  }

  private send(pdu: PDU): boolean {
    try {
      return this.writeRaw(pdu.toBuffer());
    } catch (err) {
      this.log.error({ err, command: pdu.command }, 'cannot encode a response');
      return false;
    }
  }

  private acquireSlot(): Promise<void> {
    if (this.windowUsed < this.window && this.waiters.length === 0) {
      this.windowUsed++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private releaseSlot(): void {
    this.windowUsed = Math.max(0, this.windowUsed - 1);
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    while (this.waiters.length > 0 && this.windowUsed < this.window && this.state !== 'closed') {
      this.windowUsed++;
      this.waiters.shift()!.resolve();
    }
  }

  private scheduleKeepalive(): void {
    this.stopKeepalive();
    const t = this.timers;
    const tick = Math.max(5, Math.min(t.enquireLinkMs, t.inactivityMs) / 4);
    this.keepaliveTimer = setInterval(() => this.keepalive(), tick);
  }

  private stopKeepalive(): void {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
  }

  private keepalive(): void {
    if (this.state !== 'bound') return;
    const now = Date.now();
    const quiet = now - this.lastReceivedAt;
    const t = this.timers;
    if (quiet >= t.inactivityMs) {
      this.close(`nothing received for ${quiet} ms`, { byPeer: true });
      return;
    }
    // quiet either way: a gateway drops a session we have not written to, even while it sends
    const silent = Math.max(quiet, now - this.lastSentAt);
    if (silent < t.enquireLinkMs || this.enquirePending) return;
    this.enquirePending = true;
    // fractions of a millisecond: a round trip on a LAN is never written as 0 (unmeasured)
    const sentAt = performance.now();
    this.request('enquire_link', {}, { bypassWindow: true, timeoutMs: t.enquireLinkTimeoutMs }).then(
      () => {
        this.enquirePending = false;
        this.enquireRttMs = Math.max(0.001, Math.round((performance.now() - sentAt) * 1000) / 1000);
      },
      (err: Error) => {
        this.enquirePending = false;
        if (err instanceof RequestTimeoutError) this.close(`enquire_link not answered within ${t.enquireLinkTimeoutMs} ms`, { byPeer: true });
      },
    );
  }

  private onPdu(pdu: PDU): void {
    // an exception here would escape into the package's socket reader and kill the process
    try {
      this.lastReceivedAt = Date.now();
      if (pdu.isResponse()) this.onResponse(pdu);
      else this.onRequest(pdu);
    } catch (err) {
      this.log.error({ err, command: pdu.command }, 'handling a PDU failed');
      this.close(`handling ${pdu.command} failed`, { byPeer: false, error: err });
    }
  }

  private onResponse(pdu: PDU): void {
    const f = this.inFlight.get(pdu.sequence_number);
    if (!f) {
      if (pdu.command === 'generic_nack') {
        this.log.warn({ status: statusHex(pdu.command_status), seq: pdu.sequence_number }, 'generic_nack from the SMSC');
      } else {
        this.log.debug({ command: pdu.command, seq: pdu.sequence_number }, 'response to no pending request (late or stray)');
      }
      return;
    }
    this.inFlight.delete(pdu.sequence_number);
    clearTimeout(f.timer);
    if (f.windowed) this.releaseSlot();
    f.resolve(pdu);
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (this.idleWaiters.length === 0) return;
    if (this.state !== 'closed' && (this.inFlight.size > 0 || this.inboundPending > 0)) return;
    for (const fn of this.idleWaiters.slice()) fn();
  }

  private onRequest(pdu: PDU): void {
    switch (pdu.command) {
      case 'enquire_link':
        this.send(pdu.response());
        return;
      case 'unbind':
        this.send(pdu.response());
        this.state = 'unbinding';
        // let the unbind_resp leave before the socket goes
        setImmediate(() => this.close('unbound by the SMSC', { byPeer: true }));
        return;
      case 'deliver_sm':
      case 'data_sm':
        this.onInboundSm(pdu);
        return;
      case 'alert_notification':
      case 'outbind':
        // neither has a response
        this.log.debug({ command: pdu.command }, 'ignored');
        return;
      case 'unknown':
        this.send(makePdu('generic_nack', { sequence_number: pdu.sequence_number, command_status: Status.ESME_RINVCMDID }));
        this.log.warn({ command_id: statusHex(pdu.command_id) }, 'unknown command from the SMSC; answered generic_nack');
        return;
    }
    // a request an ESME does not serve (submit_sm, query_sm, bind_*…)
    const resp = `${pdu.command}_resp`;
    if (smpp.commands[resp]) this.send(pdu.response({ command_status: Status.ESME_RINVCMDID }));
    else this.send(makePdu('generic_nack', { sequence_number: pdu.sequence_number, command_status: Status.ESME_RINVCMDID }));
  }

  private onInboundSm(pdu: PDU): void {
    const handler = this.opts.onInbound;
    if (!handler) {
      this.send(pdu.response({ command_status: Status.ESME_RX_T_APPN, message_id: '' }));
      return;
    }
    this.inboundPending++;
    handler(pdu, this)
      .catch((err: unknown) => {
        this.log.error({ err }, 'inbound handler failed; answering ESME_RX_T_APPN so the SMSC retries');
        return Status.ESME_RX_T_APPN;
      })
      .then((status) => {
        if (this.state !== 'closed') {
          this.send(pdu.response({ command_status: status, message_id: '' }));
          if (status !== Status.ESME_ROK) {
            this.log.info({ command: pdu.command, status: statusName(status) }, 'answered inbound with an error');
          }
        }
      })
      .finally(() => {
        this.inboundPending--;
        this.notifyIdle();
      });
  }
}
