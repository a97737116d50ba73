// The logger type every layer takes: pino's, narrowed to what we call, so
// tests can pass pino({ level: 'silent' }) or a recorder. The process logger
// writes JSON lines, or on a terminal short readable lines.

import { Writable } from 'node:stream';
import pino from 'pino';

/** Logger is the part of pino.Logger the bridge uses. */
export type Logger = Pick<pino.Logger, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'child' | 'level'>;

const LEVELS: { [n: number]: string } = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** prettyLine turns one pino JSON line into `12:00:01 INFO  smsc-bridge msg key=value …`. */
export function prettyLine(line: string): string {
  let o: { [key: string]: unknown };
  try {
    o = JSON.parse(line);
  } catch {
    return line;
  }
  const { level, time, svc, msg, pid: _pid, hostname: _host, ...rest } = o;
  const clock = typeof time === 'number' ? new Date(time).toTimeString().slice(0, 8) : '';
  const extra = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return [clock, (LEVELS[level as number] ?? String(level)).padEnd(5), svc, msg, extra].filter(Boolean).join(' ');
}

function prettyStream(out: NodeJS.WritableStream): Writable {
  let pending = '';
  return new Writable({
    write(chunk, _enc, done) {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) if (l) out.write(`${prettyLine(l)}\n`);
      done();
    },
  });
}

/** createLogger returns the process logger at the given level: JSON lines on stdout, readable lines on a terminal (LOG_FORMAT=json|pretty overrides). */
export function createLogger(level = 'info'): Logger {
  const format = process.env.LOG_FORMAT;
  const pretty = format ? format === 'pretty' : process.stdout.isTTY === true;
  const opts = { level, base: { svc: 'smsc-bridge' } };
  return pretty ? pino(opts, prettyStream(process.stdout)) : pino(opts);
}

/** silentLogger is a logger that drops everything, for tests and benchmarks. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
