// Throttling recovery: how fast a backlog drains through an SMSC that
// throttles (ESME_RTHROTTLED) and then stops. The simulator runs a token
// bucket per scenario; every 500 ms the bench samples what the SMSC
// accepted, how many throttle answers it gave, and the bridge's rate in
// force. Prints the curves and writes bench/results/throttle.json.
//
//   capacity-step   link without a limit (max_per_second 0), 1,500 texts;
//                   the SMSC takes 50/s for 6 s, then 400/s
//   limit-200       link at max_per_second 200, same SMSC
//   once-each       link at 100/s; the SMSC throttles every text's first
//                   submit_sm once and takes the second (issue 16's run:
//                   100 texts took 137-181 s before AIMD)

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../smsc-bridge/src/log.js';
import { Bridge } from '../../smsc-bridge/src/pipeline/bridge.js';
import { MemoryStore } from '../../smsc-bridge/src/pipeline/memory-store.js';
import { SmscSimulator, type SubmitAction } from '../../smsc-bridge/test/smsc-simulator.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = process.env.BENCH_ROOT ?? join(here, '..', '..');
const log = silentLogger();
const SAMPLE_MS = 500;

interface Sample {
  t: number;
  accepted_per_s: number;
  throttled_per_s: number;
  rate: number;
  left: number;
}

interface Scenario {
  name: string;
  texts: number;
  maxPerSecond: number;
  /** capacity returns the SMSC's rate at t ms after the start (0: throttle everything's first try, see once) */
  capacity?: (t: number) => number;
  onceEach?: boolean;
}

const SCENARIOS: Scenario[] = [
  { name: 'capacity-step', texts: 1500, maxPerSecond: 0, capacity: (t) => (t < 6000 ? 50 : 400) },
  { name: 'limit-200', texts: 1500, maxPerSecond: 200, capacity: (t) => (t < 6000 ? 50 : 400) },
  { name: 'once-each', texts: 100, maxPerSecond: 100, onceEach: true },
];

async function run(sc: Scenario): Promise<{ name: string; texts: number; seconds: number; throttled: number; samples: Sample[] }> {
  const sim = await SmscSimulator.start({ record: false });
  const start = Date.now();
  let tokens = 0;
  let last = start;
  let accepted = 0;
  let throttled = 0;
  const seen = new Set<string>();
  sim.onSubmit = (s): SubmitAction => {
    if (sc.onceEach) {
      if (!seen.has(s.destination_addr)) {
        seen.add(s.destination_addr);
        throttled++;
        return { status: 0x58 };
      }
      accepted++;
      return { receipt: false };
    }
    const now = Date.now();
    const cap = sc.capacity!(now - start);
    tokens = Math.min(cap / 10, tokens + ((now - last) / 1000) * cap);
    last = now;
    if (tokens < 1) {
      throttled++;
      return { status: 0x58 };
    }
    tokens -= 1;
    accepted++;
    return { receipt: false };
  };
  const store = new MemoryStore();
  store.addLink({ id: 'L1', name: 'bench', host: '127.0.0.1', port: sim.port, window: 10, max_per_second: sc.maxPerSecond });
  store.setNumber('+15551230001', 'L1');
  const bridge = new Bridge({ store, log }, { sweepMs: 200, outbound: { retry: { baseMs: 200, maxMs: 2000, factor: 2, jitter: 0.2 }, maxAttempts: 50 } });
  await bridge.start();
  await bridge.link('L1')!.waitForState('bound', 5000);
  const t0 = Date.now();
  for (let i = 0; i < sc.texts; i++) store.queue({ to: `+1555${String(2000000 + i)}`, from: '+15551230001', body: `text ${i}` });
  const samples: Sample[] = [];
  let prevA = 0;
  let prevT = 0;
  const left = () => [...store.deliveries.values()].filter((d) => d.status !== 'sent').length;
  for (;;) {
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
    const n = left();
    samples.push({
      t: (Date.now() - t0) / 1000,
      accepted_per_s: ((accepted - prevA) * 1000) / SAMPLE_MS,
      throttled_per_s: ((throttled - prevT) * 1000) / SAMPLE_MS,
      rate: bridge.sender('L1')!.rateNow,
      left: n,
    });
    prevA = accepted;
    prevT = throttled;
    if (n === 0 || Date.now() - t0 > 300_000) break;
  }
  const seconds = (Date.now() - t0) / 1000;
  await bridge.stop();
  await sim.close();
  return { name: sc.name, texts: sc.texts, seconds, throttled, samples };
}

const only = process.argv[2];
const results = [];
for (const sc of SCENARIOS.filter((s) => !only || s.name === only)) {
  const r = await run(sc);
  results.push(r);
  console.log(`\n${r.name}: ${r.texts} texts drained in ${r.seconds.toFixed(1)} s, ${r.throttled} throttle answers`);
  console.log('   t(s)  accepted/s  throttled/s  rate  left');
  for (const s of r.samples) {
    const bar = '#'.repeat(Math.round(s.accepted_per_s / 10));
    console.log(`${s.t.toFixed(1).padStart(7)} ${String(s.accepted_per_s).padStart(10)} ${String(s.throttled_per_s).padStart(12)} ${String(s.rate || '∞').padStart(5)} ${String(s.left).padStart(5)}  ${bar}`);
  }
}
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
const file = join(root, 'bench', 'results', process.env.BENCH_OUT ?? 'throttle.json');
writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), cpus: cpus().length, load: loadavg(), results }, null, 2) + '\n');
console.log(`\nwritten to ${file}`);
