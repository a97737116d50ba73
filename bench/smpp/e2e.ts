// End to end through PocketBase: delivery records created in PocketBase →
// the bridge (its bundle, as its own process) → submit_sm at the simulator
// (its own process, receipts on) → `sent` → receipt → `delivered`.
// Everything shares this machine's cores, as in production.
//
// Prints the figures and writes bench/results/smpp-e2e.json.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createService, createUser, startAppliance } from '../../tests/helpers/appliance.js';

const root = process.env.BENCH_ROOT ?? process.cwd();
const N = Number(process.env.BENCH_E2E_N ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_E2E_CONCURRENCY ?? 32);
const WINDOW = Number(process.env.BENCH_E2E_WINDOW ?? 50);

// CPU time a process has used so far, in ms (utime + stime from /proc)
function cpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

function startChild(cmd: string[], env: Record<string, string> = {}, ready?: RegExp): Promise<{ proc: ChildProcess; match?: RegExpMatchArray }> {
  const proc = spawn(process.execPath, cmd, { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  if (!ready) return Promise.resolve({ proc });
  return new Promise((resolve, reject) => {
    let buf = '';
    proc.stdout!.on('data', (d) => {
      buf += d;
      const m = buf.match(ready);
      if (m) resolve({ proc, match: m });
    });
    proc.once('exit', (code) => reject(new Error(`${cmd.join(' ')} exited with ${code}`)));
  });
}

const app = await startAppliance();
const sim = await startChild([join(root, 'build', 'bench-smpp', 'sim-server.mjs')], {}, /PORT (\d+)/);
const simPort = Number(sim.match![1]);
let bridge: ChildProcess | undefined;
try {
  const su = app.superuser;
  const link = await su.collection('smsc_links').create({
    name: 'Simulator', host: '127.0.0.1', port: simPort, system_id: 'bridge', password: 'secret', bind: 'trx',
    window: WINDOW, max_per_second: 0, enabled: true, id_format: 'auto', default_alphabet: 'GSM7',
    source_ton: -1, source_npi: -1, dest_ton: -1, dest_npi: -1,
  });
  const main = await su.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct', smsc_link: link.id });
  const alice = await createUser(app, { name: 'Alice', extension: '201' });
  await su.collection('users').update(alice.record.id, { sms_numbers: [main.id], default_number: main.id });
  const service = await createService(app, 'bridge');
  const startBridge = async () => {
    bridge = (
      // BENCH_BRIDGE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the bridge
      await startChild([...(process.env.BENCH_BRIDGE_NODE_ARGS?.split(' ').filter(Boolean) ?? []), join(root, 'build', 'smsc-bridge.mjs')], {
        PB_URL: app.url,
        BRIDGE_EMAIL: 'bridge@services.local',
        BRIDGE_PASSWORD: service.password,
        BRIDGE_HTTP: '127.0.0.1:0',
        BRIDGE_JOURNAL: join(app.dataDir, 'bridge-journal'),
        LOG_LEVEL: 'warn',
      })
    ).proc;
    bridge.stdout!.on('data', () => {});
  };
  const stopBridge = async () => {
    if (!bridge || bridge.exitCode !== null) return;
    const exited = new Promise<number | null>((r) => bridge!.once('exit', (code) => r(code)));
    bridge.kill('SIGTERM');
    const code = await exited;
    if (code !== 0) throw new Error(`the bridge exited with ${code} on SIGTERM`);
  };
  await startBridge();

  const count = async (filter: string) => (await su.collection('deliveries').getList(1, 1, { filter })).totalItems;
  const waitCount = async (filter: string, n: number, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const c = await count(filter);
      if (c >= n) return performance.now();
      if (Date.now() > deadline) {
        const by: Record<string, number> = {};
        for (const st of ['queued', 'sending', 'sent', 'delivered', 'failed']) by[st] = await count(`status = "${st}"`);
        const odd = await su.collection('deliveries').getList(1, 5, { filter: 'status != "delivered"', sort: '-updated' });
        throw new Error(`only ${c} of ${n} deliveries match ${filter} after ${timeoutMs} ms: ${JSON.stringify(by)} ${JSON.stringify(odd.items.map((d) => [d.status, d.attempts, d.error, d.next_attempt_at, d.smsc_ids]))}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  // warm-up: one real message through the API, which the bridge must deliver
  const thread = await alice.pb.send<{ id: string }>('/api/conversations/sms', { method: 'POST', body: { to: '+12015550123' } });
  const message = await alice.pb.collection('messages').create({ conversation: thread.id, body: 'warm-up' });
  await waitCount('status = "delivered"', 1, 30_000);

  const create = async (n: number, from: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < n) {
          const i = from + next++;
          await su.collection('deliveries').create({
            message: message.id, to: '+12015550123', from: '+12015550100', body: `benchmark message ${i}`,
            status: 'queued', segments: 1, encoding: 'GSM-7', smsc_ids: [], attempts: 0,
          });
        }
      }),
    );
  };
  const rate = (ms: number) => Math.round(N / (ms / 1000));
  let total = 1;

  // one round per PocketBase batch setting: the bridge batches its delivery updates when allowed
  const rounds: Record<string, unknown> = {};
  for (const batch of [false, true]) {
    await stopBridge();
    await su.settings.update({ batch: { enabled: batch, maxRequests: 50, timeout: 10 } });
    await startBridge();
    // live: created while the bridge runs (creates and the bridge's writes share PocketBase)
    let started = performance.now();
    await create(N, total);
    total += N;
    const liveCreated = performance.now() - started;
    const liveSent = (await waitCount('status = "sent" || status = "delivered"', total, 180_000)) - started;
    const liveDelivered = (await waitCount('status = "delivered"', total, 180_000)) - started;
    // backlog: created while the bridge is stopped, then drained (the bridge's own rate against PocketBase)
    await stopBridge();
    await create(N, total);
    total += N;
    started = performance.now();
    const pbCpu0 = cpuMs(app.pid);
    await startBridge();
    const bridgeCpu0 = cpuMs(bridge?.pid);
    const backlogSent = (await waitCount('status = "sent" || status = "delivered"', total, 180_000)) - started;
    const backlogDelivered = (await waitCount('status = "delivered"', total, 180_000)) - started;
    const pbCpuPer = (cpuMs(app.pid) - pbCpu0) / N;
    const bridgeCpuPer = (cpuMs(bridge?.pid) - bridgeCpu0) / N;
    rounds[batch ? 'batch_on' : 'batch_off'] = {
      live: { created_per_second: rate(liveCreated), sent_per_second: rate(liveSent), delivered_per_second: rate(liveDelivered) },
      backlog: {
        sent_per_second: rate(backlogSent),
        delivered_per_second: rate(backlogDelivered),
        // load-independent: CPU spent per delivery while the backlog drained (bench polling included in PocketBase's)
        pocketbase_cpu_ms_per_delivery: +pbCpuPer.toFixed(2),
        bridge_cpu_ms_per_delivery: +bridgeCpuPer.toFixed(2),
      },
    };
  }
  const failed = await count('status = "failed"');
  const result = {
    bench: 'smpp-e2e',
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? '',
    load_average_at_end: loadavg().map((x) => +x.toFixed(2)),
    setup: `PocketBase (build/pocketbase, hooks on) + bridge bundle + simulator (receipts at once), separate processes; window ${WINDOW}; ${CONCURRENCY} concurrent delivery creates by the superuser`,
    goal: '≥ 1.5 × Kannel on the same box (Kannel: about 580 SMS/s with receipts) = 870 SMS/s (DESIGN.md §8)',
    notes: {
      live: 'deliveries created while the bridge runs; per second over the time from the first create',
      backlog: 'deliveries created with the bridge stopped, then the bridge started; per second from its start (login and bind included)',
      batch: 'PocketBase settings.batch.enabled; the bridge sends its delivery updates through /api/batch when allowed',
      writes: 'three PocketBase writes per delivery: sending, sent, delivered',
    },
    deliveries_per_phase: N,
    failed,
    ...rounds,
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'smpp-e2e.json'), JSON.stringify(result, null, 2) + '\n');
  console.log('wrote bench/results/smpp-e2e.json');
} finally {
  if (bridge && bridge.exitCode === null) {
    const exited = new Promise((r) => bridge!.once('exit', r));
    bridge.kill('SIGTERM');
    await exited;
  }
  sim.proc.stdin!.end();
  await app.stop();
}
process.exit(0);
