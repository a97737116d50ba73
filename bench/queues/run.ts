// bench/queues: 20 agents logged in to one queue, each with an inbox
// subscription (what their sidebar listens to). A customer text arrives
// through the bridge's inbound route; we measure the time until the waiting
// conversation has reached every agent's inbox, then the latency of a claim
// (the route's answer) and until the other agents hear it left.
//
//   node bench/run.mjs bench/queues/run.ts [--agents 20] [--rounds 50]
//
// Load generator, clients and PocketBase share the 2 cores: an upper bound.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createService, createUser, startAppliance, type SignedIn } from '../../tests/helpers/appliance';

const { values } = parseArgs({ options: { agents: { type: 'string', default: '20' }, rounds: { type: 'string', default: '50' } } });
const AGENTS = Number(values.agents);
const ROUNDS = Number(values.rounds);
const root = resolve(import.meta.dirname, '..', '..');

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50_ms: +quantile(s, 0.5).toFixed(2), p99_ms: +quantile(s, 0.99).toFixed(2), max_ms: +s[s.length - 1].toFixed(2) };
};

const app = await startAppliance();
try {
  const agents: SignedIn[] = [];
  for (let i = 0; i < AGENTS; i++) agents.push(await createUser(app, { name: `Agent ${i}`, extension: String(2000 + i) }));
  const admin = await createUser(app, { name: 'Admin', extension: '1999', role: 'admin' });
  const queue = await admin.pb.collection('queues').create({ name: 'Bench', members: agents.map((a) => a.record.id) });
  const number = await app.superuser.collection('numbers').create({ e164: '+12015550999', sms_enabled: true, mode: 'queue', queue: queue.id });
  const bridge = await createService(app, 'bridge');

  // each agent's inbox: resolves waiters on the conversation event that shows it waiting
  type Waiter = { pred: (e: any) => boolean; ok: () => void };
  const waiters: Waiter[][] = agents.map(() => []);
  for (const [i, a] of agents.entries()) {
    await a.pb.send(`/api/queue/${queue.id}/login`, { method: 'POST' });
    await a.pb.realtime.subscribe('inbox', (e: any) => {
      const list = waiters[i];
      for (const w of [...list]) if (w.pred(e)) (list.splice(list.indexOf(w), 1), w.ok());
    });
  }
  const reach = (pred: (e: any) => boolean) =>
    Promise.all(waiters.map((list) => new Promise<number>((ok) => list.push({ pred, ok: () => ok(performance.now()) }))));

  const appear: number[] = [];
  const inbound: number[] = [];
  const claim: number[] = [];
  const gone: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const phone = `+1201555${String(1000 + r).padStart(4, '0')}`;
    const body = `bench ${r}`;
    const arrived = reach((e) => e.type === 'message' && e.message.body === body);
    const t0 = performance.now();
    const stored = await bridge.pb.send('/api/sms/inbound', { method: 'POST', body: { dedupe_key: `b${r}`, from: phone, to: number.e164, body } });
    inbound.push(performance.now() - t0);
    const times = await arrived;
    appear.push(Math.max(...times) - t0);
    const claimer = agents[r % AGENTS];
    const left = Promise.all(
      waiters.map((list, i) =>
        i === r % AGENTS ? Promise.resolve(0) : new Promise<number>((ok) => list.push({ pred: (e) => e.type === 'removed' && e.conversation === stored.conversation, ok: () => ok(performance.now()) })),
      ),
    );
    const t1 = performance.now();
    await claimer.pb.send(`/api/queue/${stored.conversation}/claim`, { method: 'POST' });
    claim.push(performance.now() - t1);
    gone.push(Math.max(...(await left)) - t1);
  }
  const result = {
    bench: 'queues',
    at: new Date().toISOString(),
    machine: '2 cores, loopback',
    agents: AGENTS,
    rounds: ROUNDS,
    inbound_route_answer: stats(inbound),
    waiting_item_in_every_agent_inbox: stats(appear),
    claim_answer: stats(claim),
    claimed_item_gone_from_every_other_agent: stats(gone),
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'queues.json'), JSON.stringify(result, null, 2) + '\n');
  for (const a of agents) await a.pb.realtime.unsubscribe();
} finally {
  await app.stop();
}
