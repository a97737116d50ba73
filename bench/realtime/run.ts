// bench/realtime: N signed-in SDK clients (Node, eventsource) subscribed to
// their inbox, in groups of 10; senders post at a steady rate; we measure
// send → realtime receipt latency at every other member, then the sustained
// rate with senders posting as fast as the server takes it.
//
//   node bench/run.mjs bench/realtime/run.ts [--clients 10,100,200] [--seconds 5] [--rate 100]
//
// Load generator and clients share this process (and the 2 cores with
// PocketBase), so latencies include our own event-loop time: an upper bound.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import PocketBase from 'pocketbase';
import { createUser, startAppliance, type Appliance, type SignedIn } from '../../tests/helpers/appliance';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '10,100,200' },
    seconds: { type: 'string', default: '5' },
    rate: { type: 'string', default: '100' },
    burst: { type: 'string', default: '2000' },
  },
});
const GROUP = 10;
const root = resolve(import.meta.dirname, '..', '..');

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** rssMb reads a process's resident memory now (VmRSS) or its peak so far (VmHWM). */
function rssMb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)![1]) / 1024;
}

interface Client {
  user: SignedIn;
  group: string;
}

async function setup(app: Appliance, n: number): Promise<{ clients: Client[]; groups: { id: string; sender: SignedIn }[] }> {
  const users: SignedIn[] = [];
  for (let i = 0; i < n; i++) users.push(await createUser(app, { name: `User ${i}`, extension: String(1000 + i) }));
  const groups: { id: string; sender: SignedIn }[] = [];
  const clients: Client[] = [];
  for (let g = 0; g * GROUP < n; g++) {
    const members = users.slice(g * GROUP, (g + 1) * GROUP);
    if (members.length < 2) break;
    const conv = await members[0].pb.send('/api/conversations/group', {
      method: 'POST',
      body: { title: `Group ${g}`, members: members.slice(1).map((m) => m.record.id) },
    });
    groups.push({ id: conv.id, sender: members[0] });
    for (const m of members) clients.push({ user: m, group: conv.id });
  }
  return { clients, groups };
}

// each client listens the way the UI does: on its inbox topic
async function subscribeAll(clients: Client[], onEvent: (c: Client, body: string, at: number) => void) {
  for (const c of clients) {
    await c.user.pb.realtime.subscribe('inbox', (e: { type: string; message?: { body: string } }) => {
      if (e.type === 'message') onEvent(c, e.message!.body, performance.now());
    });
  }
}

async function runOne(n: number) {
  const app = await startAppliance();
  const rssIdle = rssMb(app.pid);
  const { clients, groups } = await setup(app, n);
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  let received = 0;
  let expected = 0;
  let done: (() => void) | null = null;
  await subscribeAll(clients, (c, body, at) => {
    const t = sent.get(body);
    if (t === undefined || c.user === groups.find((g) => g.id === c.group)!.sender) return;
    latencies.push(at - t);
    received++;
    if (received === expected && done) done();
  });
  const rssWithClients = rssMb(app.pid);

  // phase 1: steady rate, round-robin over the groups
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const fanout = GROUP - 1;
  expected = total * fanout;
  const start = performance.now();
  const posts: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = start + i * interval - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const g = groups[i % groups.length];
    const body = `steady ${n} ${i}`;
    sent.set(body, performance.now());
    posts.push(g.sender.pb.collection('messages').create({ conversation: g.id, body }, { requestKey: null }));
  }
  await Promise.all(posts);
  await Promise.race([new Promise<void>((r) => (done = r)), new Promise((r) => setTimeout(r, 10_000))]);
  const steady = [...latencies].sort((a, b) => a - b);
  const steadyReceived = received;

  // phase 2: sustained throughput, 20 posts in flight, fixed count
  latencies.length = 0;
  received = 0;
  const burst = Number(values.burst);
  expected = burst * fanout;
  const finished = new Promise<void>((r) => (done = r));
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < burst && performance.now() - t0 < 60_000) {
      const i = next++;
      const g = groups[i % groups.length];
      const body = `burst ${n} ${i}`;
      sent.set(body, performance.now());
      await g.sender.pb.collection('messages').create({ conversation: g.id, body }, { requestKey: null });
    }
  };
  await Promise.all(Array.from({ length: 20 }, worker));
  const postSeconds = (performance.now() - t0) / 1000;
  await Promise.race([finished, new Promise((r) => setTimeout(r, 30_000))]);
  const deliveredSeconds = (performance.now() - t0) / 1000;
  const burstLat = [...latencies].sort((a, b) => a - b);

  const rssPeak = rssMb(app.pid, 'VmHWM');
  for (const c of clients) await c.user.pb.realtime.unsubscribe();
  await app.stop();
  return {
    clients: n,
    groups: groups.length,
    steady: {
      rate_per_s: rate,
      messages: total,
      deliveries_expected: total * fanout,
      deliveries_received: steadyReceived,
      p50_ms: +quantile(steady, 0.5).toFixed(2),
      p99_ms: +quantile(steady, 0.99).toFixed(2),
    },
    sustained: {
      messages: burst,
      messages_per_s: +(burst / postSeconds).toFixed(0),
      deliveries_received: received,
      all_delivered_per_s: +(burst / deliveredSeconds).toFixed(0),
      p50_ms: +quantile(burstLat, 0.5).toFixed(2),
      p99_ms: +quantile(burstLat, 0.99).toFixed(2),
    },
    pocketbase_rss_mb_idle: +rssIdle.toFixed(1),
    pocketbase_rss_mb_with_clients: +rssWithClients.toFixed(1),
    pocketbase_rss_mb_peak: +rssPeak.toFixed(1),
  };
}

const results = [];
for (const n of values.clients!.split(',').map(Number)) {
  const r = await runOne(n);
  console.log(JSON.stringify(r));
  results.push(r);
}
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(
  join(root, 'bench', 'results', 'realtime.json'),
  JSON.stringify({ bench: 'realtime', at: new Date().toISOString(), machine: '2 cores, loopback', results }, null, 2) + '\n',
);
