// Shared test fixtures: fast timers, link options pointing at a simulator,
// and a bounded wait for a condition that has no event of its own.

import { createLogger, silentLogger } from '../src/log.js';
import type { LinkOptions } from '../src/session/link.js';

/** log is a silent logger (TEST_LOG=debug in the environment makes tests chatty). */
export const log = process.env.TEST_LOG ? createLogger(process.env.TEST_LOG) : silentLogger();

/** FAST are link timings that keep the suite quick; each test overrides what it exercises. */
export const FAST: Partial<LinkOptions> = {
  connectTimeoutMs: 1000,
  reconnect: { baseMs: 20, maxMs: 100, jitter: 0 },
  authPauseMs: 60_000,
  alreadyBoundMs: 300,
  stableMs: 60_000,
  timers: { bindTimeoutMs: 1000, responseTimeoutMs: 1000, enquireLinkMs: 10_000, enquireLinkTimeoutMs: 1000, inactivityMs: 30_000 },
};

/** linkOptions builds LinkOptions for a link to the simulator. */
export function linkOptions(sim: { port: number }, over: Partial<LinkOptions> = {}): LinkOptions {
  return {
    id: 'link1',
    name: 'sim',
    host: '127.0.0.1',
    port: sim.port,
    credentials: { system_id: 'bridge', password: 'secret', system_type: 'APP' },
    bind: 'trx',
    window: 10,
    ...FAST,
    ...over,
    timers: { ...FAST.timers, ...over.timers },
  } as LinkOptions;
}

/** until polls cond every few ms and rejects after timeoutMs: for state that emits no event. */
export async function until(cond: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** poll calls read every few ms until pred holds for its result, which it returns; rejects after timeoutMs. */
export async function poll<T>(read: () => Promise<T>, pred: (v: T) => boolean, timeoutMs = 5000, what = 'a value'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (pred(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

