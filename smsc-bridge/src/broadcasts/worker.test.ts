// The broadcast worker's wake-ups, with a scripted client that answers each
// release when the test says: the one case a real PocketBase cannot be made
// to interleave on demand is a wake-up that arrives while an ask is on its
// way, whose answer ("nothing runs") may predate the broadcast the wake-up
// announces. The rest (the pace, the quiet, the topic's rule) runs against
// the real PocketBase in tests/integration/broadcasts.test.ts.
import type PocketBase from 'pocketbase';
import { expect, it } from 'vitest';
import { log } from '../../test/helpers.js';
import { BROADCASTS_DUE_TOPIC, BroadcastWorker, type Release } from './worker.js';

type Answer = (r: Release) => void;

/** ScriptedPocketBase holds each release call until the test answers it. */
class ScriptedPocketBase {
  readonly listeners = new Map<string, () => void>();
  private readonly calls: Answer[] = [];
  private readonly waiting: ((a: Answer) => void)[] = [];
  readonly realtime = {
    subscribe: async (topic: string, cb: () => void) => {
      this.listeners.set(topic, cb);
      return async () => void this.listeners.delete(topic);
    },
  };

  send(): Promise<Release> {
    return new Promise((resolve) => {
      const w = this.waiting.shift();
      if (w) w(resolve);
      else this.calls.push(resolve);
    });
  }

  /** nextAsk resolves with the way to answer the next release call. */
  nextAsk(): Promise<Answer> {
    const call = this.calls.shift();
    return call ? Promise.resolve(call) : new Promise((ok) => this.waiting.push(ok));
  }
}

const NOTHING_RUNS: Release = { running: 0, released: 0, skipped: 0, failed: 0, wait_ms: 1000 };

it('asks again at once when woken during an ask that found nothing running, and when woken or reconnected while quiet', async () => {
  const pb = new ScriptedPocketBase();
  // a safety poll far beyond the test's timeout: only a wake-up explains an ask
  const worker = new BroadcastWorker({ pb: pb as unknown as PocketBase, log, safetyMs: 600_000 });
  await worker.start();
  expect([...pb.listeners.keys()].sort()).toEqual(['PB_CONNECT', BROADCASTS_DUE_TOPIC].sort());

  const first = await pb.nextAsk();
  // the broadcast is started while the first ask is on its way
  pb.listeners.get(BROADCASTS_DUE_TOPIC)!();
  first(NOTHING_RUNS);
  const second = await pb.nextAsk();

  // quiet now: a wake-up asks
  let settled = worker.afterAsks(1);
  second(NOTHING_RUNS);
  await settled;
  pb.listeners.get(BROADCASTS_DUE_TOPIC)!();
  const third = await pb.nextAsk();

  // and so does the realtime link coming back
  settled = worker.afterAsks(1);
  third(NOTHING_RUNS);
  await settled;
  pb.listeners.get('PB_CONNECT')!();
  const fourth = await pb.nextAsk();

  fourth(NOTHING_RUNS);
  await worker.stop();
  expect(pb.listeners.size).toBe(0);
  expect(worker.asks).toBe(4);
}, 5000);
