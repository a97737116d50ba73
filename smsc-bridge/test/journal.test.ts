// The journal: what it keeps across a restart, what it forgets once stored,
// a torn last line, group commit, and rewriting when it grows.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal, MemorySink } from '../src/pipeline/journal.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempFile(): string {
  const d = mkdtempSync(join(tmpdir(), 'journal-'));
  dirs.push(d);
  return join(d, 'bridge-journal');
}

describe('journal', () => {
  it('keeps open deliveries, receipts and held parts across a reopen, and forgets what was stored', async () => {
    const path = tempFile();
    const j = Journal.openFile(path);
    expect(j.fresh).toBe(true);
    await j.append({ t: 'w', d: 'a', a: 1, p: 0, n: 2 });
    await j.append({ t: 'a', d: 'a', a: 1, p: 0, id: 'X1' });
    await j.append({ t: 'w', d: 'a', a: 1, p: 1, n: 2 });
    await j.append({ t: 'w', d: 'b', a: 1, p: 0, n: 1 });
    await j.append({ t: 's', d: 'b' });
    await j.append({ t: 'r', k: 'k1', l: 'L1', f: 'auto', r: { id: 'X1', stat: 'DELIVRD' } });
    await j.append({ t: 'r', k: 'k2', l: 'L1', f: 'auto', r: { id: 'X2', stat: 'DELIVRD' } });
    await j.append({ t: 'rs', k: 'k2' });
    const c = { ref: 7, total: 2, seq: 1, ref16: false };
    const link = { id: 'L1', name: 'sim', default_alphabet: 'GSM7' as const, id_format: 'auto' as const };
    await j.append({ t: 'p', g: 'g1', link, from: '+1', to: '+2', c, text: 'Hel', raw: 'SGVs', at: 1 });
    await j.close();

    const again = Journal.openFile(path);
    expect(again.fresh).toBe(false);
    expect(again.openTrails()).toEqual([{ d: 'a', a: 1, n: 2, parts: ['accepted', 'written'], ids: ['X1', ''] }]);
    expect(again.openReceipts().map((r) => r.k)).toEqual(['k1']);
    expect(again.heldParts()).toEqual([[{ g: 'g1', link, from: '+1', to: '+2', c, text: 'Hel', raw: 'SGVs', at: 1 }]]);
    await again.close();
  });

  it('ignores a torn last line (a crash mid-write: never acknowledged)', () => {
    const sink = new MemorySink(true);
    sink.data = JSON.stringify({ t: 'w', d: 'a', a: 1, p: 0, n: 1 }) + '\n{"t":"a","d":"a","a":1,"p":0,"i';
    const j = Journal.memory(sink);
    expect(j.openTrails()[0].parts).toEqual(['written']);
  });

  it('a new attempt starts a fresh trail; an answer to an older attempt changes nothing', () => {
    const j = Journal.memory();
    j.note({ t: 'w', d: 'a', a: 1, p: 0, n: 1 });
    j.note({ t: 'w', d: 'a', a: 2, p: 0, n: 1 });
    j.note({ t: 'a', d: 'a', a: 1, p: 0, id: 'OLD' });
    expect(j.trail('a')).toMatchObject({ a: 2, parts: ['written'], ids: [''] });
  });

  it('commits appends made together in one batch (one fsync for many records)', async () => {
    const j = Journal.openFile(tempFile());
    await Promise.all(Array.from({ length: 200 }, (_, i) => j.append({ t: 'w', d: `d${i}`, a: 1, p: 0, n: 1 })));
    expect(j.flushes).toBeLessThanOrEqual(3);
    await j.close();
  });

  it('rewrites the file with only the open entries when it outgrows maxBytes', async () => {
    const path = tempFile();
    const j = Journal.openFile(path, { maxBytes: 4000 });
    for (let i = 0; i < 200; i++) {
      await j.append({ t: 'w', d: `d${i}`, a: 1, p: 0, n: 1 });
      if (i !== 150) await j.append({ t: 's', d: `d${i}` });
    }
    await j.close();
    expect(readFileSync(path, 'utf8').length).toBeLessThan(4000);
    const again = Journal.openFile(path);
    expect(again.openTrails().map((t) => t.d)).toEqual(['d150']);
    await again.close();
  });
});
