// The logger type every layer takes: pino's, narrowed to what we call, so
// tests can pass pino({ level: 'silent' }) or a recorder.

import pino from 'pino';

/** Logger is the part of pino.Logger the bridge uses. */
export type Logger = Pick<pino.Logger, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'child' | 'level'>;

/** createLogger returns the process logger: JSON lines on stdout at the given level. */
export function createLogger(level = 'info'): Logger {
  return pino({ level, base: { svc: 'smsc-bridge' } });
}

/** silentLogger is a logger that drops everything, for tests and benchmarks. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
