// The journal's cost: records made durable per second with group commit,
// by how many writers wait at once (the window), on this machine's disk.
// Each writer journals a part ('w'), then its acceptance ('a'), as the
// outbound path does before and after a submit_sm. Prints a table and
// writes bench/results/journal.json.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Journal } from '../../smsc-bridge/src/pipeline/journal.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = process.env.BENCH_ROOT ?? join(here, '..', '..');
const N = Number(process.env.BENCH_JOURNAL_N ?? 4000);
const rows = [];
for (const writers of [1, 10, 50]) {
  const dir = mkdtempSync(join(tmpdir(), 'journal-bench-'));
  const j = Journal.openFile(join(dir, 'bridge-journal'));
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      for (let i = next++; i < N; i = next++) {
        const t = performance.now();
        await j.append({ t: 'w', d: `d${i}`, a: 1, p: 0, n: 1 });
        await j.append({ t: 'a', d: `d${i}`, a: 1, p: 0, id: `ID${i}` });
        j.note({ t: 's', d: `d${i}` });
        lat.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await j.close();
  rmSync(dir, { recursive: true, force: true });
  lat.sort((a, b) => a - b);
  const row = {
    writers,
    parts: N,
    seconds: Math.round(seconds * 100) / 100,
    parts_per_second: Math.round(N / seconds),
    fsyncs: j.flushes,
    p50_ms: Math.round(lat[Math.floor(lat.length / 2)] * 100) / 100,
    p99_ms: Math.round(lat[Math.floor(lat.length * 0.99)] * 100) / 100,
  };
  rows.push(row);
  console.log(`writers ${String(writers).padStart(2)}: ${row.parts_per_second} parts/s (w + a durable each), ${row.fsyncs} fsyncs, part p50 ${row.p50_ms} ms, p99 ${row.p99_ms} ms`);
}
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'journal.json'), JSON.stringify({ at: new Date().toISOString(), cpus: cpus().length, load: loadavg(), rows }, null, 2) + '\n');
