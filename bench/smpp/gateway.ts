// GSM modem gateways in real time (issue 17), the bridge in-process against
// the simulator behaving as a gateway (it drops a session from which nothing
// came for 10 s), both parts at once:
//
// - idle: two links kept up for BENCH_GATEWAY_IDLE_S (default 300 s, the
//   issue's 5 minutes), one with the GSM gateway profile (enquire_link every
//   5 s), one with the carrier profile (every 30 s): binds, quiet drops,
//   enquire_links and the last round trip of each;
// - drain: BENCH_GATEWAY_N texts (200) queued at once to a link with the
//   gateway profile, limited to BENCH_GATEWAY_PER_MIN (6) per minute, window 1:
//   the drain curve (texts submitted and still waiting, each minute), the
//   place in the queue of the last text as the admin page and its sender would
//   see it, whether the order held, and submits, retries and timeouts.
//
// Prints the figures and writes bench/results/gateway.json (or BENCH_GATEWAY_OUT).

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { LINK_PROFILES } from '../../src/lib/domain/smsc-link.js';
import { silentLogger } from '../../smsc-bridge/src/log.js';
import { Bridge } from '../../smsc-bridge/src/pipeline/bridge.js';
import { MemoryStore } from '../../smsc-bridge/src/pipeline/memory-store.js';
import type { Delivery } from '../../smsc-bridge/src/pipeline/store.js';
import { SmscSimulator } from '../../smsc-bridge/test/smsc-simulator.js';

const root = process.env.BENCH_ROOT ?? process.cwd();
const IDLE_S = Number(process.env.BENCH_GATEWAY_IDLE_S ?? 300);
const N = Number(process.env.BENCH_GATEWAY_N ?? 200);
const PER_MIN = Number(process.env.BENCH_GATEWAY_PER_MIN ?? 6);
const QUIET_DROP_MS = 10_000;
const OUT = process.env.BENCH_GATEWAY_OUT ?? join(root, 'bench', 'results', 'gateway.json');
const log = silentLogger();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Rig {
  sim: SmscSimulator;
  store: MemoryStore;
  bridge: Bridge;
  enquireLinks: number;
}

async function rig(kind: 'gsm_gateway' | 'carrier', over: Record<string, unknown> = {}): Promise<Rig> {
  const sim = await SmscSimulator.start({ record: true });
  sim.dropWhenQuiet(QUIET_DROP_MS);
  // gateways answer with decimal ids and send no receipts
  let next = 1000;
  sim.onSubmit = () => ({ id: String(next++), receipt: false });
  const store = new MemoryStore();
  const p = LINK_PROFILES[kind];
  store.addLink({ id: 'L1', name: kind, host: '127.0.0.1', port: sim.port, kind, bind: p.bind, window: p.window, max_per_second: p.max_per_second, rate_unit: p.rate_unit, receipts: p.receipts, ...over });
  store.setNumber('+15551230001', 'L1');
  const bridge = new Bridge({ store, log }, { sweepMs: 1000, waitingRefreshMs: 1000 });
  await bridge.start();
  await bridge.link('L1')!.waitForState('bound', 10_000);
  const r: Rig = { sim, store, bridge, enquireLinks: 0 };
  sim.on('enquire_link', () => r.enquireLinks++);
  return r;
}

function idleFigures(r: Rig) {
  const link = r.bridge.link('L1')!;
  return {
    binds: r.sim.binds.length,
    rebinds: r.sim.binds.length - 1,
    quiet_drops: r.sim.quietDrops,
    enquire_links: r.enquireLinks,
    enquire_rtt_ms: link.enquireRttMs,
    reconnects: link.reconnects,
    state_at_end: link.state,
  };
}

const started = Date.now();
const [gateway, carrier, drain] = await Promise.all([
  rig('gsm_gateway'),
  rig('carrier'),
  rig('gsm_gateway', { max_per_second: PER_MIN / 60 }),
]);

// the drain: N texts at once, in queue order
const ds: Delivery[] = [];
for (let i = 0; i < N; i++) ds.push(drain.store.queue({ to: '+15557654321', from: '+15551230001', body: `text ${String(i).padStart(3, '0')}` }));
const drainStart = Date.now();
let lastSubmitAt = drainStart;
drain.sim.on('submit', () => (lastSubmitAt = Date.now()));
const aheadOfLast = () => ds.filter((d) => d !== ds[N - 1] && drain.store.deliveries.get(d.id)!.status === 'queued').length;
const curve: { t_s: number; submitted: number; waiting: number; last_text_ahead: number }[] = [];
const sample = () => {
  const submitted = drain.sim.submits.length;
  curve.push({ t_s: Math.round((Date.now() - drainStart) / 1000), submitted, waiting: N - submitted, last_text_ahead: aheadOfLast() });
};
sample();
let idleReport: { gateway: ReturnType<typeof idleFigures>; carrier: ReturnType<typeof idleFigures> } | undefined;
for (;;) {
  await sleep(60_000);
  sample();
  const last = curve[curve.length - 1];
  process.stdout.write(`t=${last.t_s}s submitted ${last.submitted}/${N}, last text has ${last.last_text_ahead} ahead\n`);
  if (!idleReport && Date.now() - started >= IDLE_S * 1000) {
    idleReport = { gateway: idleFigures(gateway), carrier: idleFigures(carrier) };
    process.stdout.write(`idle ${IDLE_S}s: gateway ${JSON.stringify(idleReport.gateway)}\n  carrier ${JSON.stringify(idleReport.carrier)}\n`);
    await Promise.all([gateway, carrier].map(async (r) => {
      await r.bridge.stop();
      await r.sim.close();
    }));
  }
  if (idleReport && [...ds].every((d) => drain.store.deliveries.get(d.id)!.status === 'sent')) break;
}
const drainS = (lastSubmitAt - drainStart) / 1000;
const bodies = drain.sim.submits.map((s) => s.short_message.toString());
const result = {
  at: new Date().toISOString(),
  cpus: cpus().length,
  cpu: cpus()[0]?.model,
  load_average_at_end: loadavg().map((x) => Math.round(x * 100) / 100),
  quiet_drop_s: QUIET_DROP_MS / 1000,
  idle: { seconds: IDLE_S, ...idleReport },
  drain: {
    texts: N,
    per_minute: PER_MIN,
    window: 1,
    /** from queueing to the last submit_sm */
    seconds: Math.round(drainS),
    expected_seconds: Math.round(((N - 1) * 60) / PER_MIN),
    submits: drain.sim.submits.length,
    in_order: bodies.every((b, i) => b === `text ${String(i).padStart(3, '0')}`),
    attempts_above_1: ds.filter((d) => drain.store.deliveries.get(d.id)!.attempts !== 1).length,
    rebinds: drain.sim.binds.length - 1,
    quiet_drops: drain.sim.quietDrops,
    curve,
  },
};
await drain.bridge.stop();
await drain.sim.close();
console.log(JSON.stringify(result, null, 2));
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, JSON.stringify(result, null, 2) + '\n');
