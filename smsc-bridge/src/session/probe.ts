// "Test connection" for an SMSC link that is not running yet: connect, bind
// with the given credentials, unbind, close; and say in words what went
// wrong and at which step. Nothing is kept: a probe shares no state with the
// links the bridge runs.
import type { Logger } from '../log.js';
import { ConnectError, openConnection, type TlsOptions } from '../transport/connection.js';
import { Status, statusHex, statusName } from '../transport/pdu.js';
import { BindError, RequestTimeoutError } from './errors.js';
import { DEFAULT_TIMERS, SmppSession, type BindType, type Credentials } from './session.js';

/** ProbeTarget is what a probe connects to and binds as. */
export interface ProbeTarget {
  host: string;
  port: number;
  tls?: TlsOptions;
  credentials: Credentials;
  bind: 'trx' | 'tx_rx';
  timeoutMs?: number;
}

/** ProbeResult says whether connect, bind and unbind worked, and if not, where and why. */
export interface ProbeResult {
  ok: boolean;
  /** the step that failed, or 'done' */
  stage: 'connect' | 'bind' | 'done';
  /** one sentence for the administrator */
  message: string;
  /** the SMSC's system_id from bind_resp, when it bound */
  smsc_system_id?: string;
  ms: number;
}

// what an administrator can do about the usual bind refusals
const BIND_ADVICE: { [status: number]: string } = {
  [Status.ESME_RINVPASWD]: 'the SMSC refused the password',
  [Status.ESME_RINVSYSID]: 'the SMSC does not know this system_id',
  [Status.ESME_RBINDFAIL]: 'the SMSC refused the bind (check system_id, password, system_type and the address it expects you from)',
  [Status.ESME_RALYBND]: 'the SMSC says this account is already bound (the running link, or another system, holds the session)',
};

/** describeBindRefusal turns a bind_resp status into a sentence. */
export function describeBindRefusal(status: number): string {
  const advice = BIND_ADVICE[status] ?? 'the SMSC refused the bind';
  return `${advice[0].toUpperCase()}${advice.slice(1)}: ${statusName(status)} (${statusHex(status)}).`;
}

/** probeLink connects, binds as each half of the link's bind, unbinds and closes. It never throws. */
export async function probeLink(target: ProbeTarget, log: Logger): Promise<ProbeResult> {
  const started = Date.now();
  const timeoutMs = target.timeoutMs ?? 10_000;
  const types: BindType[] = target.bind === 'tx_rx' ? ['transmitter', 'receiver'] : ['transceiver'];
  let systemId = '';
  for (const type of types) {
    let session: SmppSession | undefined;
    try {
      const lib = await openConnection({ host: target.host, port: target.port, tls: target.tls, connectTimeoutMs: timeoutMs, keepAliveMs: 0 });
      session = new SmppSession(lib, { window: 1, timers: { ...DEFAULT_TIMERS, bindTimeoutMs: timeoutMs }, log });
    } catch (err) {
      const why = err instanceof ConnectError ? err.message : String((err as Error)?.message ?? err);
      return { ok: false, stage: 'connect', message: `Could not connect to ${target.host}:${target.port}: ${why}.`, ms: Date.now() - started };
    }
    try {
      systemId = await session.bind(type, target.credentials);
    } catch (err) {
      session.close('probe failed');
      const message =
        err instanceof BindError
          ? describeBindRefusal(err.status)
          : err instanceof RequestTimeoutError
            ? `Connected, but the SMSC did not answer bind_${type} within ${timeoutMs / 1000} s (is this an SMPP port? is TLS needed?).`
            : `Connected, but the bind failed: ${(err as Error).message}.`;
      return { ok: false, stage: 'bind', message, ms: Date.now() - started };
    }
    await session.unbind(timeoutMs);
  }
  const as = types.length === 2 ? 'as transmitter and receiver' : 'as transceiver';
  return {
    ok: true,
    stage: 'done',
    message: `Connected, bound ${as}${systemId ? ` to ${systemId}` : ''} and unbound.`,
    smsc_system_id: systemId,
    ms: Date.now() - started,
  };
}

/** readProbeTarget checks a /probe body (the smsc_links fields) and returns the target, or why it is refused. */
export function readProbeTarget(body: unknown): ProbeTarget | { error: string } {
  const b = (body ?? {}) as Record<string, unknown>;
  const str = (k: string) => (typeof b[k] === 'string' ? (b[k] as string).trim() : '');
  const host = str('host');
  const port = typeof b.port === 'number' ? b.port : Number(b.port || 2775);
  if (!host) return { error: 'Enter the host of the SMSC or gateway.' };
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { error: 'The port must be a number from 1 to 65535.' };
  if (!str('system_id')) return { error: 'Enter the system_id the SMSC gave you.' };
  return {
    host,
    port,
    tls: b.tls === true ? { ca: str('tls_ca') || undefined, servername: str('tls_servername') || undefined } : undefined,
    credentials: { system_id: str('system_id'), password: typeof b.password === 'string' ? b.password : '', system_type: str('system_type') },
    bind: b.bind === 'tx_rx' ? 'tx_rx' : 'trx',
  };
}
