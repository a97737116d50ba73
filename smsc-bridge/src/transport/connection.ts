/// <reference path="./smpp-lib.d.ts" />
// Opening one SMPP connection: a fresh `smpp.connect()` per attempt (the
// package's own reconnect leaves a socket that never reads again), a connect
// timeout the package lacks, TLS with the CA and server name passed
// explicitly, TCP keepalive and no Nagle delay.

import { isIP } from 'node:net';
import { smpp } from './pdu.js';
import type { Session } from 'smpp';

/** TlsOptions turns on TLS; certificates are always verified. */
export interface TlsOptions {
  /** ca is PEM text to trust instead of the system store (a private SMSC CA or a self-signed certificate). */
  ca?: string;
  /** servername is the name the certificate must carry; defaults to host when host is a name. */
  servername?: string;
}

/** ConnectOptions says where and how to connect. */
export interface ConnectOptions {
  host: string;
  port: number;
  tls?: TlsOptions;
  connectTimeoutMs: number;
  /** keepAliveMs is the TCP keepalive delay; 0 turns keepalive off. */
  keepAliveMs?: number;
  /** signal aborts the attempt (the link is stopping). */
  signal?: AbortSignal;
}

/** ConnectError is a failure to reach the SMSC (refused, timed out, TLS rejected). */
export class ConnectError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConnectError';
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

/**
 * openConnection connects to the SMSC and resolves with a new package
 * Session once TCP (and TLS) is up. On timeout or error the session is
 * destroyed and its listeners removed before the promise rejects, so
 * nothing of a failed attempt lingers. The caller owns the session after.
 */
export function openConnection(opts: ConnectOptions): Promise<Session> {
  const options: Record<string, unknown> = { host: opts.host, port: opts.port };
  if (opts.tls) {
    options.tls = true;
    options.rejectUnauthorized = true;
    if (opts.tls.ca) options.ca = opts.tls.ca;
    const servername = opts.tls.servername || (isIP(opts.host) ? '' : opts.host);
    if (servername) options.servername = servername;
  }
  return new Promise<Session>((resolve, reject) => {
    let session: Session;
    try {
      session = smpp.connect(options);
    } catch (err) {
      reject(new ConnectError(`cannot connect to ${opts.host}:${opts.port}: ${describe(err)}`, { cause: err }));
      return;
    }
    const ready = opts.tls ? 'secureConnect' : 'connect';
    const cleanup = () => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      session.removeListener(ready, onReady);
      session.removeListener('error', onError);
      session.removeListener('close', onClose);
    };
    const fail = (message: string, cause?: unknown) => {
      cleanup();
      // an error emitted while the socket dies must not crash the process
      session.on('error', () => {});
      session.destroy();
      reject(new ConnectError(message, { cause }));
    };
    const onReady = () => {
      cleanup();
      const socket = session.socket;
      socket.setNoDelay(true);
      if (opts.keepAliveMs) socket.setKeepAlive(true, opts.keepAliveMs);
      resolve(session);
    };
    const onError = (err: unknown) => fail(`cannot connect to ${opts.host}:${opts.port}: ${describe(err)}`, err);
    const onClose = () => fail(`connection to ${opts.host}:${opts.port} closed before it was up`);
    const onAbort = () => fail(`connecting to ${opts.host}:${opts.port} aborted`);
    const timer = setTimeout(
      () => fail(`connecting to ${opts.host}:${opts.port} timed out after ${opts.connectTimeoutMs} ms`),
      opts.connectTimeoutMs,
    );
    session.on(ready, onReady);
    session.on('error', onError);
    session.on('close', onClose);
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort);
  });
}
