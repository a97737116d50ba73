// A bridge wired to the in-suite simulator and an in-memory store, with
// timings short enough for tests.

import { Bridge, type BridgeOptions } from '../src/pipeline/bridge.js';
import { MemoryStore } from '../src/pipeline/memory-store.js';
import type { LinkConfig } from '../src/pipeline/store.js';
import { Metrics } from '../src/metrics.js';
import { FAST, log } from './helpers.js';
import { SmscSimulator, type SimOptions } from './smsc-simulator.js';

/** OUR_NUMBER is the business number the harness sends from. */
export const OUR_NUMBER = '+15551230001';
/** CUSTOMER is the number the harness sends to. */
export const CUSTOMER = '+15557654321';

/** TEST_BRIDGE are bridge options with fast retries and short waits. */
export const TEST_BRIDGE: BridgeOptions = {
  sweepMs: 50,
  waitingRefreshMs: 50,
  drainMs: 500,
  unbindTimeoutMs: 200,
  outbound: {
    maxAttempts: 3,
    retry: { baseMs: 30, maxMs: 100, jitter: 0 },
    inlineRetries: 3,
    holdWhileDownMs: 150,
  },
  inbound: { reassemblyTimeoutMs: 300, flushRetryMs: 50, ackWaitMs: 300, receiptRetryMs: 20 },
  receipts: { lookupDelayMs: 50 },
  link: { ...FAST },
};

/** Harness is a running bridge with its simulator and store. */
export interface Harness {
  sim: SmscSimulator;
  store: MemoryStore;
  bridge: Bridge;
  metrics: Metrics;
  stop(): Promise<void>;
}

/** startHarness starts a simulator, a store with one link (id L1) and our number, and a bridge bound to it. */
export async function startHarness(
  opts: { link?: Partial<LinkConfig>; bridge?: BridgeOptions; sim?: SimOptions; waitBound?: boolean; before?: (h: Omit<Harness, 'bridge' | 'stop'>) => void } = {},
): Promise<Harness> {
  const sim = await SmscSimulator.start(opts.sim);
  const store = new MemoryStore();
  const metrics = new Metrics();
  store.addLink({ id: 'L1', name: 'sim', host: '127.0.0.1', port: sim.port, ...opts.link });
  store.setNumber(OUR_NUMBER, 'L1');
  opts.before?.({ sim, store, metrics });
  const bridge = new Bridge({ store, log, metrics }, { ...TEST_BRIDGE, ...opts.bridge, outbound: { ...TEST_BRIDGE.outbound, ...opts.bridge?.outbound } });
  await bridge.start();
  if (opts.waitBound !== false && opts.link?.enabled !== false) await bridge.link('L1')!.waitForState('bound', 3000);
  return {
    sim,
    store,
    bridge,
    metrics,
    async stop() {
      await bridge.stop();
      await sim.close();
    },
  };
}
