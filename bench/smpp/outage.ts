// Waiting is free (DESIGN.md §8, issue 19): CPU per minute of PocketBase and
// of the bridge (its bundle, as its own process) while the only link's SMSC
// refuses connections, first with no text waiting, then with 10,000 waiting;
// and the requests the bridge sends PocketBase in each window, read from
// PocketBase's request log; last, PocketBase alone with the 10,000 rows (the
// bridge stopped), to tell its own cost of the larger table from the bridge's.
//
// BENCH_BRIDGE_BUNDLE runs another bridge bundle (e.g. one built from an
// older commit) against the same PocketBase; BENCH_OUTAGE_WINDOW_S sets the
// length of each measuring window (default 60), BENCH_OUTAGE_N the backlog,
// BENCH_OUTAGE_SETTLE_S the pause between the inserts and the window (30).
//
// Prints the figures and writes bench/results/outage.json (or
// BENCH_OUTAGE_OUT).

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { createService, createUser, freePort, startAppliance } from '../../tests/helpers/appliance.js';

const root = process.env.BENCH_ROOT ?? process.cwd();
const N = Number(process.env.BENCH_OUTAGE_N ?? 10_000);
const WINDOW_S = Number(process.env.BENCH_OUTAGE_WINDOW_S ?? 60);
const BUNDLE = process.env.BENCH_BRIDGE_BUNDLE ?? join(root, 'build', 'smsc-bridge.mjs');
// after the inserts: their realtime events, the request log and SQLite's checkpoints settle
const SETTLE_S = Number(process.env.BENCH_OUTAGE_SETTLE_S ?? 30);
const OUT = process.env.BENCH_OUTAGE_OUT ?? join(root, 'bench', 'results', 'outage.json');

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

function rssMb(pid: number | undefined): number {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const app = await startAppliance();
let bridge: ChildProcess | undefined;
try {
  const su = app.superuser;
  // nothing listens there: the SMSC refuses connections, as in the issue
  const deadPort = await freePort();
  const link = await su.collection('smsc_links').create({
    name: 'Gateway', host: '127.0.0.1', port: deadPort, system_id: 'bridge', password: 'secret', bind: 'trx',
    window: 50, max_per_second: 0, enabled: true, id_format: 'auto', default_alphabet: 'GSM7',
    source_ton: -1, source_npi: -1, dest_ton: -1, dest_npi: -1,
  });
  const main = await su.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct', smsc_link: link.id });
  const alice = await createUser(app, { name: 'Alice', extension: '201' });
  await su.collection('users').update(alice.record.id, { sms_numbers: [main.id], default_number: main.id });
  const thread = await alice.pb.send<{ id: string }>('/api/conversations/sms', { method: 'POST', body: { to: '+12015550123' } });
  const message = await alice.pb.collection('messages').create({ conversation: thread.id, body: 'first' });
  const service = await createService(app, 'bridge');

  bridge = spawn(process.execPath, [BUNDLE], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      PB_URL: app.url,
      BRIDGE_EMAIL: 'bridge@services.local',
      BRIDGE_PASSWORD: service.password,
      BRIDGE_HTTP: '127.0.0.1:0',
      BRIDGE_JOURNAL: join(app.dataDir, 'bridge-journal'),
      LOG_LEVEL: 'warn',
    },
  });
  for (let i = 0; ; i++) {
    const l = await su.collection('smsc_links').getOne(link.id);
    if (l.state === 'down') break;
    if (i > 100) throw new Error(`the link did not go down: ${l.state}`);
    await sleep(200);
  }

  // requests PocketBase logged from the service account in [from, to), by method and path
  const serviceId = service.record.id;
  async function requestsBetween(from: string, to: string): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (let page = 1; ; page++) {
      const res = await su.logs.getList(page, 500, { filter: `created >= "${from}" && created < "${to}" && data.auth = "services"` });
      for (const r of res.items) {
        const data = r.data as { method?: string; url?: string; userId?: string };
        if (data.userId && data.userId !== serviceId) continue;
        const key = `${data.method ?? '?'} ${(data.url ?? '').split('?')[0].replace(/\/records\/[a-z0-9]{15}/, '/records/{id}')}`;
        counts[key] = (counts[key] ?? 0) + 1;
      }
      if (page >= res.totalPages) break;
    }
    return counts;
  }

  async function measure(label: string) {
    await sleep(5_000);
    const pbPid = app.pid;
    const from = new Date().toISOString().replace('T', ' ');
    const c0 = { pb: cpuMs(pbPid), bridge: cpuMs(bridge!.pid) };
    const t0 = performance.now();
    await sleep(WINDOW_S * 1000);
    const minutes = (performance.now() - t0) / 60_000;
    const c1 = { pb: cpuMs(pbPid), bridge: cpuMs(bridge!.pid) };
    const to = new Date().toISOString().replace('T', ' ');
    // the request log is written in batches: give it a moment
    await sleep(3_000);
    const requests = await requestsBetween(from, to);
    const total = Object.values(requests).reduce((a, b) => a + b, 0);
    const writes = Object.entries(requests)
      .filter(([k]) => k.startsWith('POST /api/batch') || k.startsWith('PATCH /api/collections/deliveries'))
      .reduce((a, [, v]) => a + v, 0);
    const row = {
      label,
      window_s: WINDOW_S,
      pocketbase_cpu_ms_per_min: Math.round((c1.pb - c0.pb) / minutes),
      bridge_cpu_ms_per_min: Math.round((c1.bridge - c0.bridge) / minutes),
      requests_per_min: Math.round(total / minutes),
      delivery_writes_per_min: Math.round(writes / minutes),
      requests,
      pocketbase_rss_mb: rssMb(pbPid),
      bridge_rss_mb: rssMb(bridge!.pid),
    };
    console.log(
      `${label.padEnd(22)} PocketBase ${String(row.pocketbase_cpu_ms_per_min).padStart(6)} ms CPU/min · bridge ${String(row.bridge_cpu_ms_per_min).padStart(6)} ms CPU/min · ` +
        `${row.requests_per_min} requests/min (${row.delivery_writes_per_min} delivery writes)`,
    );
    return row;
  }

  const idle = await measure('idle, link down');

  // N texts queued for the down link, as the message hook queues them
  const base = Date.now() - N;
  for (let i = 0; i < N; i += 50) {
    const batch = su.createBatch();
    for (let j = i; j < Math.min(N, i + 50); j++) {
      batch.collection('deliveries').create({
        message: message.id, to: `+1201555${String(1000 + (j % 9000)).padStart(4, '0')}`, from: '+12015550100', body: `waiting ${j}`,
        status: 'queued', segments: 1, encoding: 'GSM-7', smsc_ids: [], attempts: 0, link: link.id, queued_at: new Date(base + j).toISOString().replace('T', ' '),
      });
    }
    await batch.send();
  }
  await sleep(SETTLE_S * 1000);
  const waiting = await measure(`${N.toLocaleString('en')} waiting`);
  const stillQueued = await su.collection('deliveries').getList(1, 1, { filter: `status = "queued" && attempts = 0 && error = ""` });

  // PocketBase's own cost of the larger table and heap: the same window with the bridge stopped
  const exited = new Promise((r) => bridge!.once('exit', r));
  bridge.kill('SIGTERM');
  await exited;
  const noBridge = await measure(`${N.toLocaleString('en')} waiting, no bridge`);

  const result = {
    at: new Date().toISOString(),
    bridge_bundle: BUNDLE.startsWith(root) ? BUNDLE.slice(root.length + 1) : BUNDLE,
    backlog: N,
    untouched_after: stillQueued.totalItems,
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? '',
    load_average_at_end: loadavg().map((x) => +x.toFixed(2)),
    idle,
    waiting,
    waiting_without_bridge: noBridge,
  };
  console.log(`${stillQueued.totalItems} of ${N + 1} texts still queued and untouched at the end`);
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify(result, null, 2) + '\n');
  console.log(`wrote ${OUT.startsWith(root) ? OUT.slice(root.length + 1) : OUT}`);
} finally {
  if (bridge && bridge.exitCode === null) {
    const exited = new Promise((r) => bridge!.once('exit', r));
    bridge.kill('SIGTERM');
    await exited;
  }
  await app.stop();
}
