// The user's path against Kannel, in one run, on the same SMSC program:
// Debian's Net::SMPP peer (smsc-bridge/test/peers/netsmpp-smsc.pl), which
// answers every submit_sm and sends a receipt for it.
//
//   Kannel 1.4.5 (Debian's `kannel`, installed with apt-get when absent):
//     bearerbox + smsbox, GET /cgi-bin/sendsms with dlr-mask=1 and a dlr-url
//     this bench serves, so Kannel reports each "delivered" back to the
//     application as our appliance does.
//   The appliance: build/pocketbase (hooks on) + build/smsc-bridge.mjs,
//     POST /api/collections/messages/records as a signed-in user into 100
//     SMS threads, until every delivery reads `delivered`.
//
// Same N and concurrency for both; window 50 on both links. Rounds
// alternate (Kannel, appliance) so a change in the machine's load hits both;
// medians over the rounds are what the README quotes.
//
//   BENCH_KANNEL_N (2000)  BENCH_KANNEL_CONCURRENCY (16)  BENCH_KANNEL_ROUNDS (3)
//   BENCH_KANNEL_ONLY=appliance|kannel   APPLIANCE_PPROF=127.0.0.1:6060 (profile PocketBase)
//
// Writes bench/results/smpp-kannel.json (BENCH_KANNEL_OUT overrides the name).

import { spawn, spawnSync, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createService, createUser, freePort, startAppliance, type Appliance } from '../../tests/helpers/appliance.js';

const root = process.env.BENCH_ROOT ?? process.cwd();
const N = Number(process.env.BENCH_KANNEL_N ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_KANNEL_CONCURRENCY ?? 16);
const ROUNDS = Number(process.env.BENCH_KANNEL_ROUNDS ?? 3);
const THREADS = 100;
const WINDOW = 50;
const ONLY = process.env.BENCH_KANNEL_ONLY ?? '';
const OUT = process.env.BENCH_KANNEL_OUT ?? 'smpp-kannel.json';
/** every wait in this bench gives up after this long */
const PHASE_TIMEOUT_MS = Number(process.env.BENCH_KANNEL_TIMEOUT_MS ?? 180_000);
const SYSTEM_ID = 'bench';
const PASSWORD = 'secret';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** cpuMs is the CPU time (user + system) a process has used so far, in ms. */
function cpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** rssMb is a process's resident memory in MB. */
function rssMb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Smsc runs the Net::SMPP peer and counts the submit_sm it answers. */
class Smsc {
  submits = 0;
  port = 0;
  private buf = '';
  private waiters: { n: number; resolve: () => void }[] = [];
  readonly proc: ChildProcessWithoutNullStreams;

  constructor() {
    this.proc = spawn('perl', [join(root, 'smsc-bridge', 'test', 'peers', 'netsmpp-smsc.pl'), SYSTEM_ID, PASSWORD]);
    this.proc.stdout.setEncoding('utf8');
    this.proc.stderr.on('data', (d) => process.stderr.write(`[smsc] ${d}`));
  }

  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the Net::SMPP SMSC printed no port within 10 s')), 10_000);
      this.proc.once('exit', (code) => reject(new Error(`the Net::SMPP SMSC exited with ${code}`)));
      this.proc.stdout.on('data', (chunk: string) => {
        this.buf += chunk;
        let nl: number;
        while ((nl = this.buf.indexOf('\n')) >= 0) {
          const line = this.buf.slice(0, nl);
          this.buf = this.buf.slice(nl + 1);
          if (line.startsWith('SUBMIT ')) this.submits++;
          else if (line.startsWith('PORT ')) {
            this.port = Number(line.slice(5));
            clearTimeout(timer);
            resolve();
          }
        }
        this.waiters = this.waiters.filter((w) => (this.submits >= w.n ? (w.resolve(), false) : true));
      });
    });
  }

  /** seen resolves at performance.now() once n submit_sm were answered. */
  seen(n: number, timeoutMs = PHASE_TIMEOUT_MS): Promise<number> {
    if (this.submits >= n) return Promise.resolve(performance.now());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the SMSC saw ${this.submits} of ${n} submit_sm within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ n, resolve: () => (clearTimeout(timer), resolve(performance.now())) });
    });
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.stdin.end('QUIT\n');
    await Promise.race([exited, sleep(3000)]);
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
  }
}

/** drive sends n requests from `concurrency` workers; send(i) does request i. */
async function drive(n: number, concurrency: number, send: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await send(next++);
    }),
  );
}

interface ProcCost {
  cpu_ms_per_sms: number;
  rss_mb_after: number;
}

interface Round {
  submitted_per_second: number;
  delivered_per_second: number;
  accepted_per_second: number;
  seconds_to_delivered: number;
  processes: Record<string, ProcCost>;
}

function cost(pid: number | undefined, cpu0: number, n: number): ProcCost {
  return { cpu_ms_per_sms: +((cpuMs(pid) - cpu0) / n).toFixed(2), rss_mb_after: rssMb(pid) };
}

// ---- Kannel ---------------------------------------------------------------

function ensureKannel(): string {
  const which = () => spawnSync('sh', ['-c', 'command -v bearerbox'], { encoding: 'utf8' }).stdout.trim();
  if (which()) return which();
  console.log('installing Debian\'s kannel (apt-get update, apt-get install kannel)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'kannel']]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env, timeout: 600_000 });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${r.status}); install kannel by hand`);
  }
  if (!which()) throw new Error('kannel installed but bearerbox is not on PATH');
  return which();
}

function kannelVersion(): string {
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'kannel'], { encoding: 'utf8' });
  return r.stdout.trim();
}

function startBox(bin: string, conf: string, dir: string, name: string): ChildProcess {
  const proc = spawn(bin, [conf], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d) => (err = (err + d).slice(-4000)));
  proc.once('exit', (code, sig) => {
    if (code !== 0 && sig !== 'SIGTERM') console.error(`${name} exited with ${code ?? sig}: ${err}`);
  });
  return proc;
}

async function stopProc(proc: ChildProcess | undefined, timeoutMs = 10_000): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await Promise.race([exited, sleep(timeoutMs)]);
  if (proc.exitCode === null && proc.signalCode === null) {
    proc.kill('SIGKILL');
    await exited;
  }
}

async function kannelRound(bearerboxBin: string): Promise<Round> {
  const smsboxBin = join(bearerboxBin, '..', 'smsbox');
  // under the repository's build/, not /tmp: Debian's Kannel is happier with a plain path it can write its logs to
  const dir = join(root, 'build', 'bench-kannel');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const smsc = new Smsc();
  await smsc.ready();
  const [adminPort, boxPort, sendPort, dlrPort] = [await freePort(), await freePort(), await freePort(), await freePort()];

  // the application's end of the receipts: Kannel GETs dlr-url for each one
  let dlrs = 0;
  let dlrWaiter: { n: number; resolve: () => void } | null = null;
  const dlrServer = createServer((req, res) => {
    if (req.url?.includes('type=1')) dlrs++;
    res.end('ok');
    if (dlrWaiter && dlrs >= dlrWaiter.n) dlrWaiter.resolve();
  });
  await new Promise<void>((r) => dlrServer.listen(dlrPort, '127.0.0.1', r));

  const conf = join(dir, 'kannel.conf');
  writeFileSync(
    conf,
    [
      'group = core',
      `admin-port = ${adminPort}`,
      'admin-password = bench',
      `smsbox-port = ${boxPort}`,
      'box-allow-ip = 127.0.0.1',
      'admin-allow-ip = 127.0.0.1',
      `log-file = "${join(dir, 'bearerbox.log')}"`,
      'log-level = 2',
      'dlr-storage = internal',
      '',
      'group = smsc',
      'smsc = smpp',
      'smsc-id = sim',
      'host = 127.0.0.1',
      `port = ${smsc.port}`,
      'transceiver-mode = true',
      `smsc-username = ${SYSTEM_ID}`,
      `smsc-password = ${PASSWORD}`,
      'system-type = ""',
      'interface-version = 34',
      `max-pending-submits = ${WINDOW}`,
      // the peer gives hex ids in submit_sm_resp and in the receipt
      'msg-id-type = 0x03',
      'enquire-link-interval = 30',
      '',
      'group = smsbox',
      'bearerbox-host = 127.0.0.1',
      `bearerbox-port = ${boxPort}`,
      `sendsms-port = ${sendPort}`,
      `log-file = "${join(dir, 'smsbox.log')}"`,
      'log-level = 2',
      '',
      'group = sendsms-user',
      'username = bench',
      'password = bench',
      'max-messages = 1',
      '',
    ].join('\n'),
  );
  const bearerbox = startBox(bearerboxBin, conf, dir, 'bearerbox');
  let smsbox: ChildProcess | undefined;
  try {
    // bearerbox binds to the SMSC, then smsbox connects to bearerbox
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        const st = await (await fetch(`http://127.0.0.1:${adminPort}/status.txt?password=bench`)).text();
        if (/sim\[[^\]]*\].*online/s.test(st) || /online \d+s/.test(st)) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`bearerbox did not bind to the SMSC within 20 s (see ${dir}/bearerbox.log)`);
      await sleep(100);
    }
    smsbox = startBox(smsboxBin, conf, dir, 'smsbox');
    const base = `http://127.0.0.1:${sendPort}/cgi-bin/sendsms?username=bench&password=bench&smsc=sim&from=12015550100&dlr-mask=1`;
    const dlrUrl = encodeURIComponent(`http://127.0.0.1:${dlrPort}/dlr?type=%d&id=%F`);
    const sendOne = async (i: number, text: string) => {
      const to = `1201555${String(2000 + (i % THREADS)).padStart(4, '0')}`;
      const res = await fetch(`${base}&to=${to}&text=${encodeURIComponent(text)}&dlr-url=${dlrUrl}`);
      const body = await res.text();
      if (res.status !== 202 && res.status !== 200) throw new Error(`sendsms answered ${res.status}: ${body}`);
    };
    // smsbox is up when sendsms answers; warm-up: one text all the way to its receipt
    const upBy = Date.now() + 20_000;
    for (;;) {
      try {
        await sendOne(0, 'warm-up');
        break;
      } catch (err) {
        if (Date.now() > upBy) throw new Error(`smsbox did not take a text within 20 s: ${(err as Error).message}`);
        await sleep(100);
      }
    }
    await smsc.seen(1, 20_000);
    const warmDlr = Date.now() + 20_000;
    while (dlrs < 1 && Date.now() < warmDlr) await sleep(20);
    if (dlrs < 1) throw new Error('Kannel reported no receipt for the warm-up text within 20 s');

    const base0 = smsc.submits;
    const dlr0 = dlrs;
    const cpu0 = { bearerbox: cpuMs(bearerbox.pid), smsbox: cpuMs(smsbox.pid), smsc: cpuMs(smsc.proc.pid) };
    const started = performance.now();
    const allDlrs = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Kannel reported ${dlrs - dlr0} of ${N} receipts within ${PHASE_TIMEOUT_MS} ms`)), PHASE_TIMEOUT_MS);
      dlrWaiter = { n: dlr0 + N, resolve: () => (clearTimeout(timer), resolve(performance.now())) };
      if (dlrs >= dlr0 + N) dlrWaiter.resolve();
    });
    await drive(N, CONCURRENCY, (i) => sendOne(i, `benchmark message ${i}`));
    const accepted = performance.now() - started;
    const submitted = (await smsc.seen(base0 + N)) - started;
    const delivered = (await allDlrs) - started;
    return {
      accepted_per_second: Math.round(N / (accepted / 1000)),
      submitted_per_second: Math.round(N / (submitted / 1000)),
      delivered_per_second: Math.round(N / (delivered / 1000)),
      seconds_to_delivered: +(delivered / 1000).toFixed(2),
      processes: {
        bearerbox: cost(bearerbox.pid, cpu0.bearerbox, N),
        smsbox: cost(smsbox.pid, cpu0.smsbox, N),
        smsc: cost(smsc.proc.pid, cpu0.smsc, N),
      },
    };
  } finally {
    await stopProc(smsbox);
    await stopProc(bearerbox);
    await smsc.stop();
    await new Promise((r) => dlrServer.close(r));
  }
}

// ---- the appliance ---------------------------------------------------------

async function applianceRound(): Promise<Round & { failed: number }> {
  const smsc = new Smsc();
  await smsc.ready();
  let app: Appliance | undefined;
  let bridge: ChildProcess | undefined;
  try {
    app = await startAppliance();
    const su = app.superuser;
    const link = await su.collection('smsc_links').create({
      name: 'Net::SMPP', host: '127.0.0.1', port: smsc.port, system_id: SYSTEM_ID, password: PASSWORD, bind: 'trx',
      window: WINDOW, max_per_second: 0, enabled: true, id_format: 'auto', default_alphabet: 'GSM7',
      source_ton: -1, source_npi: -1, dest_ton: -1, dest_npi: -1,
    });
    const main = await su.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct', smsc_link: link.id });
    const alice = await createUser(app, { name: 'Alice', extension: '201' });
    await su.collection('users').update(alice.record.id, { sms_numbers: [main.id], default_number: main.id });
    const service = await createService(app, 'bridge');
    bridge = spawn(process.execPath, [...(process.env.BENCH_BRIDGE_NODE_ARGS?.split(' ').filter(Boolean) ?? []), join(root, 'build', 'smsc-bridge.mjs')], {
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
    const threads: string[] = [];
    for (let t = 0; t < THREADS; t++) {
      const to = `+1201555${String(2000 + t).padStart(4, '0')}`;
      threads.push((await alice.pb.send<{ id: string }>('/api/conversations/sms', { method: 'POST', body: { to } })).id);
    }
    const count = async (filter: string) => (await su.collection('deliveries').getList(1, 1, { filter, skipTotal: false, fields: 'id' })).totalItems;
    const waitDelivered = async (n: number, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const c = await count('status = "delivered"');
        if (c >= n) return performance.now();
        if (Date.now() > deadline) throw new Error(`${c} of ${n} deliveries delivered after ${timeoutMs} ms`);
        await sleep(100);
      }
    };
    // a client key per text, as the UI sends one (a retry would answer with the stored message)
    const post = (i: number, body: string) =>
      alice.pb.collection('messages').create({ conversation: threads[(i + THREADS) % THREADS], body, client_key: `bench-${i}` }, { fields: 'id' }).then(() => {});
    // warm-up: one text all the way to `delivered` (the bridge logged in and bound)
    await post(-1, 'warm-up');
    await waitDelivered(1, 30_000);

    // APPLIANCE_PPROF=127.0.0.1:PORT: a CPU profile of PocketBase while the texts go through
    const pprof = process.env.APPLIANCE_PPROF
      ? fetch(`http://${process.env.APPLIANCE_PPROF}/debug/pprof/profile?seconds=${process.env.BENCH_PPROF_SECONDS ?? 15}`)
          .then(async (res) => {
            const file = join(root, 'build', `pocketbase-${Date.now()}.pprof`);
            writeFileSync(file, Buffer.from(await res.arrayBuffer()));
            console.log(`PocketBase CPU profile: ${file} (go tool pprof -top build/pocketbase ${file})`);
          })
          .catch((err) => console.error(`no profile: ${err.message}`))
      : null;
    const base0 = smsc.submits;
    const cpu0 = { pocketbase: cpuMs(app.pid), bridge: cpuMs(bridge.pid), smsc: cpuMs(smsc.proc.pid) };
    const started = performance.now();
    await drive(N, CONCURRENCY, (i) => post(i, `benchmark message ${i}`));
    const accepted = performance.now() - started;
    const submitted = (await smsc.seen(base0 + N)) - started;
    const delivered = (await waitDelivered(N + 1, PHASE_TIMEOUT_MS)) - started;
    await pprof;
    const processes = {
      pocketbase: cost(app.pid, cpu0.pocketbase, N),
      bridge: cost(bridge.pid, cpu0.bridge, N),
      smsc: cost(smsc.proc.pid, cpu0.smsc, N),
    };
    return {
      accepted_per_second: Math.round(N / (accepted / 1000)),
      submitted_per_second: Math.round(N / (submitted / 1000)),
      delivered_per_second: Math.round(N / (delivered / 1000)),
      seconds_to_delivered: +(delivered / 1000).toFixed(2),
      processes,
      failed: await count('status = "failed"'),
    };
  } finally {
    await stopProc(bridge, 35_000);
    await app?.stop();
    await smsc.stop();
  }
}

// ---- the run ----------------------------------------------------------------

if (!existsSync(join(root, 'build', 'pocketbase')) || !existsSync(join(root, 'build', 'smsc-bridge.mjs'))) {
  throw new Error('build/pocketbase and build/smsc-bridge.mjs are needed: node scripts/build.mjs');
}
const bearerbox = ONLY === 'appliance' ? '' : ensureKannel();
const load0 = loadavg().map((x) => +x.toFixed(2));
const kannel: Round[] = [];
const appliance: (Round & { failed: number })[] = [];
for (let r = 0; r < ROUNDS; r++) {
  if (ONLY !== 'appliance') {
    kannel.push(await kannelRound(bearerbox));
    console.log(`round ${r + 1} Kannel: ${JSON.stringify(kannel.at(-1))}`);
  }
  if (ONLY !== 'kannel') {
    appliance.push(await applianceRound());
    console.log(`round ${r + 1} appliance: ${JSON.stringify(appliance.at(-1))}`);
  }
}

/** summary is the median of each figure over the rounds. */
function summary(rounds: Round[]) {
  if (rounds.length === 0) return null;
  const m = (f: (r: Round) => number) => median(rounds.map(f));
  const names = Object.keys(rounds[0].processes);
  return {
    submitted_per_second: m((r) => r.submitted_per_second),
    delivered_per_second: m((r) => r.delivered_per_second),
    accepted_per_second: m((r) => r.accepted_per_second),
    processes: Object.fromEntries(names.map((n) => [n, { cpu_ms_per_sms: m((r) => r.processes[n].cpu_ms_per_sms), rss_mb_after: m((r) => r.processes[n].rss_mb_after) }])),
  };
}
const k = summary(kannel);
const a = summary(appliance);
const result = {
  bench: 'smpp-kannel',
  date: new Date().toISOString(),
  node: process.version,
  kannel: bearerbox ? kannelVersion() : null,
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? '',
  load_average_at_start: load0,
  load_average_at_end: loadavg().map((x) => +x.toFixed(2)),
  setup: `${N} texts per round, ${CONCURRENCY} concurrent HTTP clients, window ${WINDOW}, receipts on, the Net::SMPP SMSC (smsc-bridge/test/peers/netsmpp-smsc.pl) for both; Kannel: GET /cgi-bin/sendsms with dlr-mask=1 and a dlr-url; appliance: POST /api/collections/messages/records as a user into ${THREADS} SMS threads`,
  notes: {
    submitted_per_second: 'N / time from the first request until the SMSC had answered the N-th submit_sm',
    delivered_per_second: 'N / time until every receipt reached the application: Kannel GETs the dlr-url; the appliance shows every delivery as `delivered`',
    accepted_per_second: 'N / time until the last HTTP request was answered',
    cpu_ms_per_sms: 'CPU (user + system, /proc/<pid>/stat) used by the process from the first request to the last receipt, divided by N',
  },
  medians: {
    kannel: k,
    appliance: a,
    ratio_submitted: k && a ? +(a.submitted_per_second / k.submitted_per_second).toFixed(2) : null,
    ratio_delivered: k && a ? +(a.delivered_per_second / k.delivered_per_second).toFixed(2) : null,
  },
  rounds: { kannel, appliance },
};
console.log(JSON.stringify(result.medians, null, 2));
if (k && a) {
  console.log(`Kannel ${k.submitted_per_second} SMS/s, appliance ${a.submitted_per_second} SMS/s (submit_sm at the SMSC): ${result.medians.ratio_submitted} × Kannel`);
  console.log(`to delivered: Kannel ${k.delivered_per_second}/s, appliance ${a.delivered_per_second}/s: ${result.medians.ratio_delivered} × Kannel`);
}
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', OUT), JSON.stringify(result, null, 2) + '\n');
console.log(`wrote bench/results/${OUT}`);
process.exit(0);
