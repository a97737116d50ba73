// bench/soak: memory under a steady mixed load. PocketBase (build/pocketbase,
// hooks on) + the bridge (build/smsc-bridge.mjs) + Debian's Net::SMPP SMSC
// (smsc-bridge/test/peers/netsmpp-smsc.pl, receipts on); 200 signed-in
// clients on their inbox topic in groups of 10; for the whole run a steady
// mix of group chat, texts into SMS threads (each to `delivered`) and
// customers' texts coming in through the SMSC. RSS of PocketBase and of the
// bridge every few seconds.
//
//   node bench/run.mjs bench/soak/run.ts [--seconds 180] [--clients 200] [--chat 20] [--sms 5] [--inbound 1] [--sample 5]
//
// Rates are per second. Growth after warm-up: the mean RSS of the last
// tenth of the run against the mean of the tenth right after the warm-up
// (the first fifth of the run, at least 30 s). Writes bench/results/soak.json
// and bench/results/soak.svg (the RSS lines).
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createService, createUser, startAppliance, type SignedIn } from '../../tests/helpers/appliance';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '180' },
    clients: { type: 'string', default: '200' },
    chat: { type: 'string', default: '20' },
    sms: { type: 'string', default: '5' },
    inbound: { type: 'string', default: '1' },
    sample: { type: 'string', default: '5' },
  },
});
const SECONDS = Number(values.seconds);
const CLIENTS = Number(values.clients);
const CHAT = Number(values.chat);
const SMS = Number(values.sms);
const INBOUND = Number(values.inbound);
const SAMPLE_S = Number(values.sample);
const GROUP = 10;
const SMS_THREADS = 20;
const root = resolve(import.meta.dirname, '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssMb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
    return m ? +(Number(m[1]) / 1024).toFixed(1) : 0;
  } catch {
    return 0;
  }
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** the Net::SMPP SMSC: its port, a submit count, and MO texts on command */
async function startSmsc(): Promise<{ proc: ChildProcessWithoutNullStreams; port: number; submits: () => number }> {
  const proc = spawn('perl', [join(root, 'smsc-bridge', 'test', 'peers', 'netsmpp-smsc.pl'), 'soak', 'secret']);
  proc.stdout.setEncoding('utf8');
  let submits = 0;
  let buf = '';
  const port = await new Promise<number>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('the SMSC printed no port within 10 s')), 10_000);
    proc.stdout.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('SUBMIT ')) submits++;
        else if (line.startsWith('PORT ')) (clearTimeout(timer), ok(Number(line.slice(5))));
      }
    });
  });
  return { proc, port, submits: () => submits };
}

/** svg draws RSS lines (MB) against time (s), with the warm-up shaded. */
function svg(samples: { t: number; pocketbase: number; bridge: number }[], warmupS: number, title: string): string {
  const W = 800, H = 400, L = 60, R = 150, T = 40, B = 50;
  const tMax = Math.max(1, ...samples.map((s) => s.t));
  const top = Math.max(50, ...samples.map((s) => s.pocketbase + s.bridge));
  // at most about 10 grid lines: 50, 100, 250 or 500 MB apart
  const yStep = [50, 100, 250, 500].find((st) => top / st <= 10) ?? 1000;
  const yMax = Math.ceil(top / yStep) * yStep;
  const x = (t: number) => L + (t / tMax) * (W - L - R);
  const y = (v: number) => H - B - (v / yMax) * (H - T - B);
  const line = (f: (s: (typeof samples)[number]) => number) => samples.map((s, i) => `${i ? 'L' : 'M'}${x(s.t).toFixed(1)},${y(f(s)).toFixed(1)}`).join(' ');
  const series = [
    { name: 'PocketBase', color: '#1f6feb', d: line((s) => s.pocketbase) },
    { name: 'bridge', color: '#d4661c', d: line((s) => s.bridge) },
    { name: 'both', color: '#333', d: line((s) => s.pocketbase + s.bridge) },
  ];
  const yTicks = Array.from({ length: yMax / yStep + 1 }, (_, i) => i * yStep);
  const tStep = tMax > 300 ? 60 : 30;
  const xTicks = Array.from({ length: Math.floor(tMax / tStep) + 1 }, (_, i) => i * tStep);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${L}" y="22" font-size="14">${title}</text>`,
    `<rect x="${L}" y="${T}" width="${(x(warmupS) - L).toFixed(1)}" height="${H - T - B}" fill="#eee"/>`,
    `<text x="${L + 4}" y="${T + 14}" fill="#777">warm-up</text>`,
    ...yTicks.map((v) => `<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${v}</text>`),
    ...xTicks.map((t) => `<line x1="${x(t)}" x2="${x(t)}" y1="${H - B}" y2="${H - B + 4}" stroke="#333"/><text x="${x(t)}" y="${H - B + 18}" text-anchor="middle">${t}</text>`),
    `<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="#333"/><line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" stroke="#333"/>`,
    `<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">seconds</text>`,
    `<text x="16" y="${(T + H - B) / 2}" transform="rotate(-90 16 ${(T + H - B) / 2})" text-anchor="middle">RSS, MB</text>`,
    ...series.map((s, i) => `<path d="${s.d}" fill="none" stroke="${s.color}" stroke-width="2"/><line x1="${W - R + 15}" x2="${W - R + 40}" y1="${T + 10 + i * 20}" y2="${T + 10 + i * 20}" stroke="${s.color}" stroke-width="2"/><text x="${W - R + 46}" y="${T + 14 + i * 20}">${s.name}</text>`),
    '</svg>',
    '',
  ].join('\n');
}

const app = await startAppliance();
const smsc = await startSmsc();
let bridge: ChildProcess | undefined;
const errors: string[] = [];
const note = (what: string) => (err: unknown) => {
  if (errors.length < 20) errors.push(`${what}: ${(err as Error)?.message ?? err}`);
};
try {
  const su = app.superuser;
  const link = await su.collection('smsc_links').create({
    name: 'Net::SMPP', host: '127.0.0.1', port: smsc.port, system_id: 'soak', password: 'secret', bind: 'trx',
    window: 50, max_per_second: 0, enabled: true, id_format: 'auto', default_alphabet: 'GSM7',
    source_ton: -1, source_npi: -1, dest_ton: -1, dest_npi: -1,
  });
  const main = await su.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct', smsc_link: link.id });
  const service = await createService(app, 'bridge');
  bridge = spawn(process.execPath, [join(root, 'build', 'smsc-bridge.mjs')], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, PB_URL: app.url, BRIDGE_EMAIL: 'bridge@services.local', BRIDGE_PASSWORD: service.password, BRIDGE_HTTP: '127.0.0.1:0', BRIDGE_JOURNAL: join(app.dataDir, 'bridge-journal'), LOG_LEVEL: 'warn' },
  });
  const rssIdle = { pocketbase: rssMb(app.pid), bridge: 0 };

  // 200 people in groups of 10; the first of each group may text from the business number
  const users: SignedIn[] = [];
  for (let i = 0; i < CLIENTS; i++) users.push(await createUser(app, { name: `User ${i}`, extension: String(1000 + i) }));
  const groups: { id: string; sender: SignedIn }[] = [];
  for (let g = 0; g * GROUP < CLIENTS; g++) {
    const members = users.slice(g * GROUP, (g + 1) * GROUP);
    if (members.length < 2) break;
    const conv = await members[0].pb.send<{ id: string }>('/api/conversations/group', { method: 'POST', body: { title: `Group ${g}`, members: members.slice(1).map((m) => m.record.id) } });
    groups.push({ id: conv.id, sender: members[0] });
  }
  const texter = users[0];
  await su.collection('users').update(texter.record.id, { sms_numbers: [main.id], default_number: main.id });
  const threads: string[] = [];
  for (let t = 0; t < SMS_THREADS; t++) threads.push((await texter.pb.send<{ id: string }>('/api/conversations/sms', { method: 'POST', body: { to: `+1201555${3000 + t}` } })).id);
  await sleep(1000);
  rssIdle.bridge = rssMb(bridge.pid);

  const sent = new Map<string, number>();
  const latencies: number[] = [];
  let received = 0;
  for (const u of users) {
    await u.pb.realtime.subscribe('inbox', (e: { type: string; message?: { body: string; author: string } }) => {
      if (e.type !== 'message' || e.message!.author === u.record.id) return;
      const t = sent.get(e.message!.body);
      if (t !== undefined) {
        received++;
        if (latencies.length < 200_000) latencies.push(performance.now() - t);
      }
    });
  }
  const rssWithClients = { pocketbase: rssMb(app.pid), bridge: rssMb(bridge.pid) };

  // the steady mix, each on its own clock; every request bounded by the run's end
  const t0 = performance.now();
  const end = t0 + SECONDS * 1000;
  const counts = { chat: 0, sms: 0, inbound: 0 };
  const inFlight = new Set<Promise<unknown>>();
  const every = (perSecond: number, fn: (i: number) => Promise<unknown>) =>
    (async () => {
      if (perSecond <= 0) return;
      for (let i = 0; ; i++) {
        const at = t0 + (i * 1000) / perSecond;
        if (at >= end) return;
        const wait = at - performance.now();
        if (wait > 0) await sleep(wait);
        // a server that falls behind gets no more than 200 requests in flight from us
        if (inFlight.size > 200) continue;
        const p = fn(i).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
    })();
  const samples: { t: number; pocketbase: number; bridge: number }[] = [];
  const sampler = (async () => {
    while (performance.now() < end) {
      samples.push({ t: +((performance.now() - t0) / 1000).toFixed(1), pocketbase: rssMb(app.pid), bridge: rssMb(bridge!.pid) });
      await sleep(SAMPLE_S * 1000);
    }
    samples.push({ t: +((performance.now() - t0) / 1000).toFixed(1), pocketbase: rssMb(app.pid), bridge: rssMb(bridge!.pid) });
  })();
  await Promise.all([
    every(CHAT, (i) => {
      const g = groups[i % groups.length];
      const body = `chat ${i}`;
      sent.set(body, performance.now());
      if (sent.size > 5000) sent.delete(sent.keys().next().value!);
      return g.sender.pb.collection('messages').create({ conversation: g.id, body }, { fields: 'id' }).then(() => counts.chat++, note('chat'));
    }),
    every(SMS, (i) =>
      texter.pb.collection('messages').create({ conversation: threads[i % SMS_THREADS], body: `sms ${i}`, client_key: `soak-${i}` }, { fields: 'id' }).then(() => counts.sms++, note('sms')),
    ),
    every(INBOUND, async (i) => {
      const hex = Buffer.from(`inbound ${i}`, 'latin1').toString('hex');
      smsc.proc.stdin.write(`MO 0 0 ${hex} 1201555${4000 + (i % 50)} 12015550100\n`);
      counts.inbound++;
    }),
    sampler,
  ]);
  const runSeconds = (performance.now() - t0) / 1000;
  await Promise.race([Promise.all(inFlight), sleep(30_000)]);
  // every text of the run reaches `delivered` (bounded)
  const drainBy = Date.now() + 120_000;
  let delivered = 0;
  while (Date.now() < drainBy) {
    delivered = (await su.collection('deliveries').getList(1, 1, { filter: 'status = "delivered"', fields: 'id' })).totalItems;
    if (delivered >= counts.sms) break;
    await sleep(500);
  }
  const inboundStored = (await su.collection('messages').getList(1, 1, { filter: 'body ~ "inbound "', fields: 'id' })).totalItems;

  const warmupS = Math.max(30, SECONDS / 5);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  const windowOf = (from: number, to: number) => samples.filter((s) => s.t >= from && s.t < to);
  const tenth = SECONDS / 10;
  const early = windowOf(warmupS, warmupS + tenth);
  const late = windowOf(SECONDS - tenth, SECONDS + 1);
  const growth = (f: (s: (typeof samples)[number]) => number) => +(((mean(late.map(f)) - mean(early.map(f))) / mean(early.map(f))) * 100).toFixed(1);
  const sorted = [...latencies].sort((a, b) => a - b);
  const result = {
    bench: 'soak',
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? '',
    load_average_at_end: loadavg().map((x) => +x.toFixed(2)),
    setup: `${CLIENTS} signed-in clients on the inbox topic in groups of ${GROUP}; ${CHAT} group messages/s, ${SMS} texts/s into ${SMS_THREADS} SMS threads (receipts on, Net::SMPP SMSC), ${INBOUND} inbound texts/s through the SMSC; RSS every ${SAMPLE_S} s`,
    seconds: +runSeconds.toFixed(1),
    done: { chat_messages: counts.chat, sms_sent: counts.sms, sms_delivered: delivered, inbound_sent: counts.inbound, inbound_stored: inboundStored, smsc_submits: smsc.submits() },
    chat_latency_ms: { deliveries: received, p50: +quantile(sorted, 0.5).toFixed(1), p99: +quantile(sorted, 0.99).toFixed(1) },
    rss_mb: {
      idle: rssIdle,
      with_clients: rssWithClients,
      after_warmup: { pocketbase: +mean(early.map((s) => s.pocketbase)).toFixed(1), bridge: +mean(early.map((s) => s.bridge)).toFixed(1) },
      end: { pocketbase: +mean(late.map((s) => s.pocketbase)).toFixed(1), bridge: +mean(late.map((s) => s.bridge)).toFixed(1) },
      peak: { pocketbase: Math.max(...samples.map((s) => s.pocketbase)), bridge: Math.max(...samples.map((s) => s.bridge)), both: Math.max(...samples.map((s) => s.pocketbase + s.bridge)) },
    },
    growth_after_warmup_percent: { pocketbase: growth((s) => s.pocketbase), bridge: growth((s) => s.bridge), both: growth((s) => s.pocketbase + s.bridge) },
    warmup_seconds: warmupS,
    errors,
    samples,
  };
  const { samples: _s, ...shown } = result;
  console.log(JSON.stringify(shown, null, 2));
  const name = process.env.BENCH_SOAK_OUT ?? 'soak';
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', `${name}.json`), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(
    join(root, 'bench', 'results', `${name}.svg`),
    svg(samples, warmupS, `Soak ${result.date.slice(0, 10)}: RSS, ${CLIENTS} clients, ${CHAT} chat + ${SMS} SMS + ${INBOUND} inbound per s; growth after warm-up ${result.growth_after_warmup_percent.both} %`),
  );
  console.log(`wrote bench/results/${name}.json and ${name}.svg`);
  for (const u of users) await u.pb.realtime.unsubscribe().catch(() => {});
} finally {
  if (bridge && bridge.exitCode === null) {
    const exited = new Promise((r) => bridge!.once('exit', r));
    bridge.kill('SIGTERM');
    await Promise.race([exited, sleep(35_000)]);
  }
  smsc.proc.stdin.end('QUIT\n');
  await app.stop();
}
process.exit(0);
