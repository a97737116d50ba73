// submit_sm per second to a fast local SMSC (the simulator, in its own
// process), at window 1, 10 and 50:
//
//   session   SmppLink.submit() straight into the window, no receipts: the
//             SMPP layer alone.
//   pipeline  deliveries queued in an in-memory store → LinkSender (encode,
//             rate, `sending`, submit, `sent`) with receipts on, until every
//             delivery is delivered: the bridge minus PocketBase.
//
// Prints a table and writes bench/results/smpp.json.

import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../smsc-bridge/src/log.js';
import { Bridge } from '../../smsc-bridge/src/pipeline/bridge.js';
import { MemoryStore } from '../../smsc-bridge/src/pipeline/memory-store.js';
import { SmppLink } from '../../smsc-bridge/src/session/link.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = process.env.BENCH_ROOT ?? join(here, '..', '..');
const WINDOWS = [1, 10, 50];
const SESSION_N = Number(process.env.BENCH_N ?? 20_000);
const PIPELINE_N = Number(process.env.BENCH_PIPELINE_N ?? 10_000);
const log = silentLogger();

interface Row {
  mode: 'session' | 'pipeline';
  window: number;
  messages: number;
  seconds: number;
  per_second: number;
  p50_ms?: number;
  p99_ms?: number;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

async function startSim(): Promise<{ port: number; stop: () => void }> {
  const child = spawn(process.execPath, [join(root, 'build', 'bench-smpp', 'sim-server.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const m = buf.match(/PORT (\d+)/);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return { port, stop: () => child.stdin.end() };
}

async function sessionRun(port: number, window: number, n: number): Promise<Row> {
  const link = new SmppLink(
    { id: 'b', name: 'bench', host: '127.0.0.1', port, bind: 'trx', window, credentials: { system_id: 'bridge', password: 'secret', system_type: '' } },
    { log },
  );
  link.start();
  await link.waitForState('bound', 5000);
  const fields = {
    source_addr: '15551230001', source_addr_ton: 1, source_addr_npi: 1,
    destination_addr: '15557654321', dest_addr_ton: 1, dest_addr_npi: 1,
    data_coding: 0, registered_delivery: 0, short_message: Buffer.from('benchmark message'),
  };
  // warm up, then keep twice the window outstanding so the window never runs dry
  await Promise.all(Array.from({ length: 200 }, () => link.submit(fields)));
  const lat: number[] = [];
  let sent = 0;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    let outstanding = 0;
    const pump = () => {
      while (outstanding < window * 2 && sent < n) {
        sent++;
        outstanding++;
        const t = performance.now();
        link.submit(fields).then((r) => {
          if (r.command_status !== 0) return reject(new Error(`status ${r.command_status}`));
          lat.push(performance.now() - t);
          outstanding--;
          if (lat.length === n) resolve();
          else pump();
        }, reject);
      }
    };
    pump();
  });
  const seconds = (performance.now() - started) / 1000;
  await link.stop({ drainMs: 1000, unbindTimeoutMs: 1000 });
  lat.sort((a, b) => a - b);
  return { mode: 'session', window, messages: n, seconds: +seconds.toFixed(3), per_second: Math.round(n / seconds), p50_ms: +pct(lat, 50).toFixed(3), p99_ms: +pct(lat, 99).toFixed(3) };
}

async function pipelineRun(port: number, window: number, n: number): Promise<Row> {
  const store = new MemoryStore();
  store.addLink({ id: 'L', name: 'bench', host: '127.0.0.1', port, window });
  store.setNumber('+15551230001', 'L');
  const bridge = new Bridge({ store, log }, { sweepMs: 60_000, sweepBatch: 5_000, outbound: { maxQueue: n + 10 } });
  await bridge.start();
  await bridge.link('L')!.waitForState('bound', 5000);
  let delivered = 0;
  const done = new Promise<void>((resolve) =>
    store.on('delivery-updated', (d: { status: string }) => {
      if (d.status === 'delivered' && ++delivered === n) resolve();
    }),
  );
  const started = performance.now();
  for (let i = 0; i < n; i++) store.queue({ to: '+15557654321', from: '+15551230001', body: `benchmark message ${i}` });
  await done;
  const seconds = (performance.now() - started) / 1000;
  await bridge.stop();
  return { mode: 'pipeline', window, messages: n, seconds: +seconds.toFixed(3), per_second: Math.round(n / seconds) };
}

const sim = await startSim();
const rows: Row[] = [];
try {
  for (const w of WINDOWS) rows.push(await sessionRun(sim.port, w, w === 1 ? Math.min(SESSION_N, 10_000) : SESSION_N));
  for (const w of WINDOWS) rows.push(await pipelineRun(sim.port, w, w === 1 ? Math.min(PIPELINE_N, 5_000) : PIPELINE_N));
} finally {
  sim.stop();
}

console.log('mode      window  messages  seconds  submit_sm/s   p50 ms   p99 ms');
for (const r of rows) {
  console.log(
    `${r.mode.padEnd(9)} ${String(r.window).padStart(6)}  ${String(r.messages).padStart(8)}  ${r.seconds.toFixed(2).padStart(7)}  ${String(r.per_second).padStart(11)}  ${String(r.p50_ms ?? '').padStart(7)}  ${String(r.p99_ms ?? '').padStart(7)}`,
  );
}
const result = {
  bench: 'smpp',
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? '',
  load_average_at_end: loadavg().map((x) => +x.toFixed(2)),
  smsc: 'smsc-bridge/test/smsc-simulator.ts in a separate process (node-smpp server side), answers at once',
  goal: '≥ 5,000 submit_sm/s at window 50 (DESIGN.md §8)',
  notes: {
    session: 'SmppLink.submit() with our window and per-request timers; registered_delivery 0',
    pipeline: 'Bridge + LinkSender over an in-memory store: encode, `sending`, submit, `sent`, receipt → `delivered`; one delivery = one submit_sm + one receipt',
  },
  results: rows,
};
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'smpp.json'), JSON.stringify(result, null, 2) + '\n');
console.log('wrote bench/results/smpp.json');
process.exit(0);
