/// <reference path="../src/transport/smpp-lib.d.ts" />
// A scriptable SMSC for tests and benchmarks, on the `smpp` package's
// server side, listening on port 0. It accepts binds, answers submit_sm
// (by default with a hex id and, when asked for, a delivery receipt), sends
// deliver_sm on request, and can be told to misbehave: refuse binds, answer
// late or never, throttle, drop the connection, send a garbage frame.

import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server, Session } from 'smpp';
import { makePdu, smpp, type PDU } from '../src/transport/pdu.js';

/** SimBind is one bind request the simulator saw. */
export interface SimBind {
  command: string;
  system_id: string;
  password: string;
  system_type: string;
  interface_version: number;
  session: SimSession;
}

/** SimSubmit is one submit_sm the simulator saw, with its raw fields. */
export interface SimSubmit {
  seq: number;
  source_addr: string;
  source_addr_ton: number;
  source_addr_npi: number;
  destination_addr: string;
  dest_addr_ton: number;
  dest_addr_npi: number;
  esm_class: number;
  data_coding: number;
  registered_delivery: number;
  short_message: Buffer;
  session: SimSession;
  /** id is the message id the simulator answered with, when it accepted. */
  id?: string;
}

/** ReceiptPlan describes the receipt sent for an accepted submit_sm. */
export interface ReceiptPlan {
  stat?: string;
  err?: string;
  /** style picks TLVs, the appendix B text, or both (default both). */
  style?: 'tlv' | 'text' | 'both';
  /** before sends the receipt ahead of the submit_sm_resp (seen on tx+rx pairs). */
  before?: boolean;
  /** idForm rewrites the id as the receipt carries it (e.g. hex → decimal). */
  idForm?: (id: string) => string;
  /** tlvNul includes the C-string NUL in receipted_message_id (default true; GoIP leaves it out). */
  tlvNul?: boolean;
  delayMs?: number;
}

/** SubmitAction is how the simulator answers one submit_sm. */
export type SubmitAction =
  | { status: number; delayMs?: number }
  | { noResponse: true }
  | { id?: string; delayMs?: number; receipt?: ReceiptPlan | false };

/** SimOptions configure the simulator. */
export interface SimOptions {
  system_id?: string;
  password?: string;
  /** tls serves SMPP over TLS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
  /** record keeps every submit in `submits` (turn off for benchmarks). */
  record?: boolean;
}

/** SimSession is a connected client session at the simulator. */
export interface SimSession {
  id: number;
  lib: Session;
  bound?: 'transceiver' | 'transmitter' | 'receiver';
  system_id?: string;
  /** lastHeard is when the client last sent a PDU (ms since epoch). */
  lastHeard: number;
}

const MESSAGE_STATE: Record<string, number> = {
  ENROUTE: 1,
  DELIVRD: 2,
  EXPIRED: 3,
  DELETED: 4,
  UNDELIV: 5,
  ACCEPTD: 6,
  UNKNOWN: 7,
  REJECTD: 8,
};

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function receiptDate(d: Date): string {
  return pad2(d.getUTCFullYear() % 100) + pad2(d.getUTCMonth() + 1) + pad2(d.getUTCDate()) + pad2(d.getUTCHours()) + pad2(d.getUTCMinutes());
}

/** receiptText formats an SMPP 3.4 appendix B receipt. */
export function receiptText(id: string, stat: string, err = '000', text = ''): string {
  const now = receiptDate(new Date());
  return `id:${id} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:${now} done date:${now} stat:${stat} err:${err} text:${text.slice(0, 20)}`;
}

/**
 * SmscSimulator is an in-process SMSC on port 0. Script it through
 * onSubmit, bindStatus and answerEnquireLink; observe it through submits,
 * binds and its events ('bind', 'submit', 'unbind', 'enquire_link',
 * 'session', 'session-closed').
 */
export class SmscSimulator extends EventEmitter {
  readonly server: Server;
  readonly submits: SimSubmit[] = [];
  readonly binds: SimBind[] = [];
  readonly sessions = new Set<SimSession>();
  port = 0;
  /** onSubmit decides the answer to each submit_sm; the default accepts with a receipt when asked. */
  onSubmit: (s: SimSubmit) => SubmitAction | Promise<SubmitAction> = () => ({});
  /** bindStatus decides the answer to each bind; default: ESME_RINVPASWD on a wrong password, else OK. */
  bindStatus: (b: SimBind) => number;
  answerEnquireLink = true;
  /** quietDrops counts sessions dropped by the quiet rule (dropWhenQuiet). */
  quietDrops = 0;
  private quietTimer?: NodeJS.Timeout;
  private nextId = 0x1a2b00;
  private sessionCounter = 0;
  private readonly opts: SimOptions;

  private constructor(opts: SimOptions) {
    super();
    this.setMaxListeners(100);
    this.opts = opts;
    const password = opts.password ?? 'secret';
    const systemId = opts.system_id ?? 'bridge';
    this.bindStatus = (b) => (b.system_id !== systemId ? 0x0f : b.password !== password ? 0x0e : 0);
    const serverOpts: Record<string, unknown> = opts.tls ? { key: opts.tls.key, cert: opts.tls.cert } : {};
    this.server = smpp.createServer(serverOpts, (lib) => this.onSession(lib));
  }

  /** start listens on 127.0.0.1 and a free port. */
  static async start(opts: SimOptions = {}): Promise<SmscSimulator> {
    const sim = new SmscSimulator(opts);
    await new Promise<void>((resolve, reject) => {
      sim.server.once('error', reject);
      sim.server.listen(0, '127.0.0.1', () => resolve());
    });
    sim.port = (sim.server.address() as AddressInfo).port;
    return sim;
  }

  /** boundSessions lists the sessions bound now. */
  boundSessions(): SimSession[] {
    return [...this.sessions].filter((s) => s.bound);
  }

  /** newId returns the next message id: upper-case hex, as many SMSCs give in submit_sm_resp. */
  newId(): string {
    return (this.nextId++).toString(16).toUpperCase();
  }

  /**
   * deliver sends a deliver_sm to a session that may receive (the newest
   * receiver or transceiver) and resolves with the response PDU. Rejects
   * when no such session is bound or no response comes within timeoutMs.
   */
  deliver(fields: Record<string, unknown>, timeoutMs = 5000, session?: SimSession): Promise<PDU> {
    const target = session ?? [...this.sessions].reverse().find((s) => s.bound === 'receiver' || s.bound === 'transceiver');
    if (!target) return Promise.reject(new Error('no receiving session is bound'));
    const pdu = makePdu('deliver_sm', {
      source_addr_ton: 1,
      source_addr_npi: 1,
      dest_addr_ton: 1,
      dest_addr_npi: 1,
      data_coding: 0,
      ...fields,
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no deliver_sm_resp within ${timeoutMs} ms`)), timeoutMs);
      const ok = target.lib.send(pdu, (resp) => {
        clearTimeout(timer);
        resolve(resp);
      });
      if (!ok) {
        clearTimeout(timer);
        reject(new Error('session not writable'));
      }
    });
  }

  /** request sends any request PDU to a receiving session and resolves with its response. */
  request(command: string, fields: Record<string, unknown>, timeoutMs = 5000): Promise<PDU> {
    const target = [...this.sessions].reverse().find((s) => s.bound === 'receiver' || s.bound === 'transceiver');
    if (!target) return Promise.reject(new Error('no receiving session is bound'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${command}_resp within ${timeoutMs} ms`)), timeoutMs);
      target.lib.send(makePdu(command, fields), (resp) => {
        clearTimeout(timer);
        resolve(resp);
      });
    });
  }

  /** sendReceipt sends a delivery receipt for id on a receiving session. */
  sendReceipt(id: string, plan: ReceiptPlan = {}, submit?: Pick<SimSubmit, 'source_addr' | 'destination_addr'>): Promise<PDU> {
    const stat = plan.stat ?? 'DELIVRD';
    const rid = plan.idForm ? plan.idForm(id) : id;
    const style = plan.style ?? 'both';
    const fields: Record<string, unknown> = {
      // a receipt goes from the handset back to the sender
      source_addr: submit?.destination_addr ?? '',
      destination_addr: submit?.source_addr ?? '',
      esm_class: 0x04,
      data_coding: 0,
    };
    fields.short_message = style === 'tlv' ? Buffer.alloc(0) : Buffer.from(receiptText(rid, stat, plan.err ?? '000'), 'latin1');
    if (style !== 'text') {
      fields.receipted_message_id = Buffer.from(plan.tlvNul === false ? rid : rid + '\0', 'latin1');
      fields.message_state = MESSAGE_STATE[stat] ?? 7;
    }
    return this.deliver(fields);
  }

  /** sendRaw writes bytes as they are to every bound session (a garbage frame). */
  sendRaw(bytes: Buffer): void {
    for (const s of this.boundSessions()) s.lib.socket.write(bytes);
  }

  /** dropAll destroys every client connection without unbinding. */
  dropAll(): void {
    for (const s of this.sessions) s.lib.socket.destroy();
  }

  /** unbindAll sends unbind on every bound session and resolves when each is answered or closed. */
  unbindAll(timeoutMs = 2000): Promise<void> {
    return Promise.all(
      this.boundSessions().map(
        (s) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, timeoutMs);
            s.lib.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            s.lib.send(makePdu('unbind'), () => {
              clearTimeout(timer);
              resolve();
            });
          }),
      ),
    ).then(() => undefined);
  }

  /** waitFor resolves with the first event args for which match returns true, or rejects after timeoutMs. */
  waitFor<T = unknown>(event: string, match: (arg: T) => boolean = () => true, timeoutMs = 5000): Promise<T> {
    return new Promise((resolve, reject) => {
      const on = (arg: T) => {
        if (!match(arg)) return;
        clearTimeout(timer);
        this.off(event, on);
        resolve(arg);
      };
      const timer = setTimeout(() => {
        this.off(event, on);
        reject(new Error(`simulator: no matching '${event}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.on(event, on);
    });
  }

  /**
   * dropWhenQuiet behaves as many GSM gateways do: a bound session from
   * which nothing arrived for ms is closed without an unbind ('quiet-drop'
   * event). 0 turns the rule off.
   */
  dropWhenQuiet(ms: number): void {
    clearInterval(this.quietTimer);
    this.quietTimer = undefined;
    if (ms <= 0) return;
    this.quietTimer = setInterval(() => {
      const now = Date.now();
      for (const s of this.sessions) {
        if (!s.bound || now - s.lastHeard < ms) continue;
        s.bound = undefined;
        this.quietDrops++;
        this.emit('quiet-drop', s);
        s.lib.socket.destroy();
      }
    }, Math.max(5, Math.min(100, ms / 10)));
  }

  /** close drops every client and stops listening. */
  async close(): Promise<void> {
    this.dropWhenQuiet(0);
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onSession(lib: Session): void {
    const s: SimSession = { id: ++this.sessionCounter, lib, lastHeard: Date.now() };
    this.sessions.add(s);
    lib.on('error', () => lib.destroy());
    lib.socket.setNoDelay(true);
    lib.on('close', () => {
      this.sessions.delete(s);
      this.emit('session-closed', s);
    });
    lib.on('pdu', (pdu: PDU) => {
      s.lastHeard = Date.now();
      try {
        this.onPdu(s, pdu);
      } catch (err) {
        this.emit('sim-error', err);
      }
    });
    this.emit('session', s);
  }

  private onPdu(s: SimSession, pdu: PDU): void {
    switch (pdu.command) {
      case 'bind_transceiver':
      case 'bind_transmitter':
      case 'bind_receiver': {
        const b: SimBind = {
          command: pdu.command,
          system_id: String(pdu.system_id ?? ''),
          password: String(pdu.password ?? ''),
          system_type: String(pdu.system_type ?? ''),
          interface_version: Number(pdu.interface_version ?? 0),
          session: s,
        };
        this.binds.push(b);
        const status = this.bindStatus(b);
        if (status === 0) {
          s.bound = pdu.command.slice(5) as SimSession['bound'];
          s.system_id = b.system_id;
        }
        s.lib.send(pdu.response(status === 0 ? { system_id: 'SIMSMSC' } : { command_status: status }));
        this.emit('bind', b);
        return;
      }
      case 'enquire_link':
        this.emit('enquire_link', s);
        if (this.answerEnquireLink) s.lib.send(pdu.response());
        return;
      case 'unbind':
        this.emit('unbind', s);
        s.lib.send(pdu.response(), () => s.lib.close());
        return;
      case 'submit_sm':
        void this.onSubmitSm(s, pdu);
        return;
      case 'deliver_sm_resp':
      case 'enquire_link_resp':
      case 'unbind_resp':
      case 'generic_nack':
        return;
    }
    if (!pdu.isResponse()) s.lib.send(makePdu('generic_nack', { sequence_number: pdu.sequence_number, command_status: 0x03 }));
  }

  private async onSubmitSm(s: SimSession, pdu: PDU): Promise<void> {
    const sub: SimSubmit = {
      seq: pdu.sequence_number,
      source_addr: String(pdu.source_addr ?? ''),
      source_addr_ton: Number(pdu.source_addr_ton ?? 0),
      source_addr_npi: Number(pdu.source_addr_npi ?? 0),
      destination_addr: String(pdu.destination_addr ?? ''),
      dest_addr_ton: Number(pdu.dest_addr_ton ?? 0),
      dest_addr_npi: Number(pdu.dest_addr_npi ?? 0),
      esm_class: Number(pdu.esm_class ?? 0),
      data_coding: Number(pdu.data_coding ?? 0),
      registered_delivery: Number(pdu.registered_delivery ?? 0),
      short_message: Buffer.isBuffer(pdu.short_message) ? pdu.short_message : Buffer.alloc(0),
      session: s,
    };
    if (this.opts.record !== false) this.submits.push(sub);
    const action = await this.onSubmit(sub);
    if ('noResponse' in action) {
      this.emit('submit', sub);
      return;
    }
    if (action.delayMs) await new Promise((r) => setTimeout(r, action.delayMs));
    if ('status' in action) {
      s.lib.send(pdu.response({ command_status: action.status }));
      this.emit('submit', sub);
      return;
    }
    const id = action.id ?? this.newId();
    sub.id = id;
    const wantReceipt = action.receipt !== false && (sub.registered_delivery & 0x03) !== 0;
    const plan = action.receipt || {};
    const receipt = () =>
      this.sendReceipt(id, plan, sub).catch((err: Error) => this.emit('sim-error', err));
    if (wantReceipt && plan.before) await receipt();
    s.lib.send(pdu.response({ message_id: id }));
    this.emit('submit', sub);
    if (wantReceipt && !plan.before) {
      if (plan.delayMs) setTimeout(receipt, plan.delayMs);
      else void receipt();
    }
  }
}
