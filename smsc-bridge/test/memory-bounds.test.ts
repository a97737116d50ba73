// What the bridge keeps in memory has limits and expiry: receipt trackers,
// receipts waiting for their submit_sm_resp, dedupe memos, long texts being
// joined and the memo of joined ones.

import { afterEach, describe, expect, it } from 'vitest';
import { encodeGsm7 } from '../../src/lib/domain/gsm7.js';
import { DedupeMemo } from '../src/pipeline/dedupe.js';
import { MemoryStore } from '../src/pipeline/memory-store.js';
import { ReceiptTracker } from '../src/pipeline/receipts.js';
import { CUSTOMER, OUR_NUMBER, startHarness, type Harness } from './bridge-harness.js';
import { log, until } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('memory bounds', () => {
  it('the receipt tracker keeps at most maxEntries deliveries, oldest dropped first, and drops stale ones after entryTtlMs', async () => {
    const t = new ReceiptTracker({ store: new MemoryStore(), log }, { maxEntries: 100 });
    for (let i = 0; i < 1000; i++) {
      t.begin(`d${i}`, 'L1', 'auto', ['']);
      t.recordPart(`d${i}`, 0, `ID${i}`);
    }
    expect(t.size).toBe(100);
    expect(t.outcome('d999')).toBeNull();
    expect(t.outcome('d0')).toBeNull();

    const ttl = new ReceiptTracker({ store: new MemoryStore(), log }, { entryTtlMs: 20 });
    for (let i = 0; i < 10; i++) ttl.begin(`old${i}`, 'L1', 'auto', ['']);
    await new Promise((r) => setTimeout(r, 40));
    ttl.begin('new', 'L1', 'auto', ['']);
    expect(ttl.size).toBe(1);
  });

  it('receipts waiting for their submit_sm_resp are bounded by maxEarly and expire, each leaving the journal', async () => {
    const settled: string[] = [];
    const t = new ReceiptTracker({ store: new MemoryStore(), log, onSettled: (k) => settled.push(...k) }, { maxEarly: 50, earlyTtlMs: 60_000 });
    for (let i = 0; i < 500; i++) await t.onReceipt('L1', 'raw', { id: `X${i}`, stat: 'DELIVRD' }, `k${i}`);
    expect(t.earlyCount).toBeLessThanOrEqual(50);
    expect(settled.length).toBeGreaterThanOrEqual(450);

    const ttl = new ReceiptTracker({ store: new MemoryStore(), log }, { earlyTtlMs: 20 });
    for (let i = 0; i < 10; i++) await ttl.onReceipt('L1', 'raw', { id: `Y${i}`, stat: 'DELIVRD' });
    await new Promise((r) => setTimeout(r, 40));
    await ttl.onReceipt('L1', 'raw', { id: 'Z', stat: 'DELIVRD' });
    // earlyCount counts id forms: compare with a tracker that holds only Z
    const one = new ReceiptTracker({ store: new MemoryStore(), log });
    await one.onReceipt('L1', 'raw', { id: 'Z', stat: 'DELIVRD' });
    expect(ttl.earlyCount).toBe(one.earlyCount);
  });

  it('the dedupe memo keeps at most maxEntries texts and forgets them after windowMs', () => {
    let now = 0;
    const m = new DedupeMemo({ maxEntries: 10, windowMs: 1000, now: () => now });
    for (let i = 0; i < 100; i++) m.stored(`h${i}`, `h${i}:0`, 1, 10);
    expect(m.size).toBe(10);
    // the newest are the ones kept: a resend of h99 on another session meets its stored key
    expect(m.keyFor('h99', 2)).toBe('h99:0');
    now += 1001;
    m.keyFor('other', 1);
    expect(m.size).toBe(0);
  });

  it('long texts being joined are bounded by maxGroups (the oldest is stored incomplete), and the memo of joined texts by maxCompleted', async () => {
    h = await startHarness({ bridge: { inbound: { maxGroups: 5, maxCompleted: 5, reassemblyTimeoutMs: 60_000, ackWaitMs: 300, receiptRetryMs: 20 } } });
    const part = (ref: number, seq: number, text: string) =>
      h!.sim.deliver({
        source_addr: CUSTOMER.slice(1),
        destination_addr: OUR_NUMBER.slice(1),
        esm_class: 0x40,
        short_message: Buffer.concat([Buffer.from([5, 0, 3, ref, 2, seq]), Buffer.from(encodeGsm7(text))]),
      });
    for (let ref = 0; ref < 20; ref++) {
      await part(ref, 1, `first ${ref} `);
      await part(ref, 2, `second ${ref}`);
    }
    expect(h.bridge.inbound.memory.completed).toBeLessThanOrEqual(5);
    for (let ref = 100; ref < 120; ref++) await part(ref, 1, `alone ${ref}`);
    expect(h.bridge.inbound.memory.groups).toBeLessThanOrEqual(5);
    // the evicted ones were stored with a marker, not dropped
    await until(() => h!.store.inbound.filter((t) => t.incomplete).length >= 15, 3000, 'evicted texts stored');
    // and their parts left the journal
    await until(() => h!.bridge.journal.heldParts().length <= 5, 3000, 'journal to forget stored parts');
  });
});
