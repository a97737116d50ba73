// SMS queues against the real binary (docs/queues.md): customers' texts to
// a queue number wait for logged-in agents; one claim wins; the owner
// replies, transfers, releases, closes; timeouts; access over REST and the
// inbox topic.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientResponseError, type RecordModel } from 'pocketbase';
import { createService, createUser, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';
import { events } from '../helpers/events';

let app: Appliance;
let admin: SignedIn, alice: SignedIn, bob: SignedIn, cleo: SignedIn, dan: SignedIn, bridge: SignedIn;
let agents: SignedIn[];
let sales: RecordModel, number: RecordModel;
let seq = 0;

beforeAll(async () => {
  app = await startAppliance();
  const su = app.superuser;
  admin = await createUser(app, { name: 'Ada', extension: '100', role: 'admin' });
  alice = await createUser(app, { name: 'Alice', extension: '101' });
  bob = await createUser(app, { name: 'Bob', extension: '102' });
  cleo = await createUser(app, { name: 'Cleo', extension: '103' });
  dan = await createUser(app, { name: 'Dan', extension: '104' });
  agents = [alice, bob, cleo];
  for (let i = 0; i < 2; i++) agents.push(await createUser(app, { name: `Extra ${i}`, extension: `11${i}` }));
  sales = await admin.pb.collection('queues').create({
    name: 'Sales',
    members: agents.map((a) => a.record.id),
    greeting: 'Thanks, someone will answer shortly.',
    away_reply: 'We are closed; we answer from 9 am.',
  });
  number = await su.collection('numbers').create({ e164: '+12015550200', label: 'Sales line', sms_enabled: true, mode: 'queue', queue: sales.id });
  bridge = await createService(app, 'bridge');
});
afterAll(() => app?.stop());

async function failure(p: Promise<unknown>): Promise<ClientResponseError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ClientResponseError) return err;
    throw err;
  }
  throw new Error('expected the request to fail');
}

const text = (from: string, body: string) =>
  bridge.pb.send<{ conversation: string }>('/api/sms/inbound', { method: 'POST', body: { dedupe_key: `q${++seq}`, from, to: number.e164, body } });
const login = (a: SignedIn, queue = sales.id) => a.pb.send(`/api/queue/${queue}/login`, { method: 'POST' });
const logout = (a: SignedIn, queue = sales.id) => a.pb.send(`/api/queue/${queue}/logout`, { method: 'POST' });
const act = (a: SignedIn, conversation: string, verb: string, body: object = {}) =>
  a.pb.send(`/api/queue/${conversation}/${verb}`, { method: 'POST', body });
const conv = (id: string) => app.superuser.collection('conversations').getOne(id);
const lines = async (id: string) =>
  (await app.superuser.collection('messages').getFullList({ filter: `conversation = '${id}' && kind = 'system'`, sort: 'created,id' })).map((m) => m.body);
const legsTo = async (id: string, to: string) =>
  (await app.superuser.collection('deliveries').getFullList({ filter: `message.conversation = '${id}' && to = '${to}'`, sort: 'created' })).map((d) => d.body);
const canRead = (a: SignedIn, id: string) => a.pb.collection('conversations').getOne(id).then(() => true, () => false);
const mine = async (a: SignedIn) => (await a.pb.send('/api/queues/mine', {})).queues;

describe('waiting for agents', () => {
  it('keeps a text that arrives with nobody logged in, answers with the away reply once, and shows agents a count only', async () => {
    const r = await text('+12015550301', 'Is the red bike still for sale?');
    const c = await conv(r.conversation);
    expect(c).toMatchObject({ kind: 'sms', queue: sales.id, queue_state: 'waiting', members: [] });
    expect(await legsTo(c.id, '+12015550301')).toEqual(['We are closed; we answer from 9 am.']);
    await text('+12015550301', 'Hello?');
    expect(await legsTo(c.id, '+12015550301')).toHaveLength(1);
    expect(await mine(alice)).toMatchObject([{ id: sales.id, name: 'Sales', logged_in: false, waiting: 1 }]);
    expect(await canRead(alice, c.id)).toBe(false);
    expect(await mine(dan)).toEqual([]);
  });

  it('shows waiting conversations to agents who log in, live, and greets the next customer', async () => {
    const aliceInbox = await events(alice.pb, 'inbox');
    await login(alice);
    await login(bob);
    const r = await text('+12015550302', 'Do you deliver?');
    await aliceInbox.next((e) => e.type === 'message' && e.message.conversation === r.conversation);
    await aliceInbox.next((e) => e.type === 'queue' && e.queue === sales.id && e.waiting === 2);
    expect(await canRead(bob, r.conversation)).toBe(true);
    expect(await legsTo(r.conversation, '+12015550302')).toEqual(['Thanks, someone will answer shortly.']);
    expect(await lines(r.conversation)).toEqual(['Waiting in Sales', 'Greeting sent']);
    await aliceInbox.off();
  });

  it('makes one waiting conversation of twenty concurrent first texts', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => text('+12015550303', `part ${i}`)));
    expect(new Set(results.map((r) => r.conversation)).size).toBe(1);
    expect(await legsTo(results[0].conversation, '+12015550303')).toHaveLength(1);
  });
});

describe('claiming', () => {
  it('gives fifty concurrent claims one winner and forty-nine clear refusals', async () => {
    for (const a of agents) await login(a);
    const r = await text('+12015550310', 'I want to order');
    const attempts = Array.from({ length: 50 }, (_, i) => agents[i % agents.length]);
    const outcomes = await Promise.allSettled(attempts.map((a) => act(a, r.conversation, 'claim')));
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const winner = (await conv(r.conversation)).claimed_by;
    const name = agents.find((a) => a.record.id === winner)!.record.name;
    for (const [i, o] of outcomes.entries()) {
      if (o.status === 'fulfilled') continue;
      const err = o.reason as ClientResponseError;
      expect(err.status).toBe(409);
      expect(err.message).toBe(attempts[i].record.id === winner ? 'You already have this conversation.' : `Already claimed by ${name}.`);
    }
    expect((await conv(r.conversation)).members).toEqual([winner]);
  });

  it('sends the follow-up to the claimer only, lets only the claimer reply, and tells the others it left', async () => {
    const r = await text('+12015550311', 'Question about my order');
    const bobInbox = await events(bob.pb, 'inbox');
    await act(alice, r.conversation, 'claim');
    await bobInbox.next((e) => e.type === 'removed' && e.conversation === r.conversation);
    expect(await canRead(bob, r.conversation)).toBe(false);
    await text('+12015550311', 'It is order 42');
    const reply = await alice.pb.collection('messages').create({ conversation: r.conversation, body: 'Looking into it' });
    expect(await legsTo(r.conversation, '+12015550311')).toContain('Looking into it');
    expect((await failure(bob.pb.collection('messages').create({ conversation: r.conversation, body: 'me too' }))).status).toBe(400);
    expect(bobInbox.seen.some((e) => e.type === 'message' && e.message.conversation === r.conversation && e.message.id !== reply.id)).toBe(false);
    expect((await conv(r.conversation)).last_agent_at).not.toBe('');
    await bobInbox.off();
  });

  it('refuses a reply before a claim, and actions from outside the queue', async () => {
    const r = await text('+12015550312', 'hi');
    expect((await failure(alice.pb.collection('messages').create({ conversation: r.conversation, body: 'hello' }))).response.data.body.message).toBe(
      'Claim this conversation before replying.',
    );
    expect((await failure(act(dan, r.conversation, 'claim'))).status).toBe(404);
    expect((await failure(act(admin, r.conversation, 'claim'))).status).toBe(404);
    expect(await canRead(admin, r.conversation)).toBe(false);
  });
});

describe('transfer, release, close', () => {
  it('transfers to a logged-in agent only, releases and closes with system lines for each', async () => {
    const r = await text('+12015550320', 'Need help');
    await act(alice, r.conversation, 'claim');
    await logout(cleo);
    const refused = await failure(act(alice, r.conversation, 'transfer', { to: cleo.record.id }));
    expect([refused.status, refused.message]).toEqual([409, 'Cleo is not logged in to Sales.']);
    expect((await failure(act(alice, r.conversation, 'transfer', { to: dan.record.id }))).message).toBe('Dan is not an agent of Sales.');
    await act(alice, r.conversation, 'transfer', { to: bob.record.id });
    expect((await conv(r.conversation)).members).toEqual([bob.record.id]);
    expect(await canRead(alice, r.conversation)).toBe(false);
    const notYours = await failure(act(alice, r.conversation, 'release'));
    expect([notYours.status, notYours.message]).toEqual([403, 'Only Bob, who has this conversation, can release it.']);
    await act(bob, r.conversation, 'release');
    expect((await conv(r.conversation)).queue_state).toBe('waiting');
    await act(alice, r.conversation, 'claim');
    await act(alice, r.conversation, 'close', { reason: 'Resolved by phone' });
    expect(await conv(r.conversation)).toMatchObject({ queue_state: 'closed', claimed_by: alice.record.id, members: [alice.record.id] });
    expect(await lines(r.conversation)).toEqual([
      'Waiting in Sales',
      'Greeting sent',
      'Claimed by Alice',
      'Transferred from Alice to Bob',
      'Released to the queue by Bob',
      'Claimed by Alice',
      'Closed by Alice: Resolved by phone',
    ]);
    // the customer texts again: the same thread waits again, greeted again
    const again = await text('+12015550320', 'One more thing');
    expect(again.conversation).toBe(r.conversation);
    expect(await conv(r.conversation)).toMatchObject({ queue_state: 'waiting', claimed_by: '' });
    expect((await lines(r.conversation)).slice(-2)).toEqual(['Reopened: the customer texted again', 'Greeting sent']);
    await login(cleo);
  });

  it('hands an agent’s claims back when they log out, and stops their live events', async () => {
    const r = await text('+12015550321', 'Hello');
    await act(cleo, r.conversation, 'claim');
    const cleoInbox = await events(cleo.pb, 'inbox');
    await logout(cleo);
    expect(await conv(r.conversation)).toMatchObject({ queue_state: 'waiting', claimed_by: '' });
    expect((await lines(r.conversation)).at(-1)).toBe('Handed back to the queue: Cleo logged out');
    const later = await text('+12015550322', 'Anyone?');
    await alice.pb.collection('conversations').getOne(later.conversation);
    expect(cleoInbox.seen.some((e) => e.type === 'message' && e.message.conversation === later.conversation)).toBe(false);
    expect(await canRead(cleo, later.conversation)).toBe(false);
    await cleoInbox.off();
    await login(cleo);
  });

  it('tells an agent taken out of a queue to drop it, and hands their claims back', async () => {
    const q = await admin.pb.collection('queues').create({ name: 'Night', members: [bob.record.id, cleo.record.id] });
    await login(bob, q.id);
    const bobInbox = await events(bob.pb, 'inbox');
    await admin.pb.collection('queues').update(q.id, { members: [cleo.record.id] });
    expect(await bobInbox.next((e) => e.type === 'queue' && e.queue === q.id && e.removed)).toMatchObject({ waiting: 0, agents: [] });
    expect(await mine(bob)).not.toContainEqual(expect.objectContaining({ id: q.id }));
    await bobInbox.off();
  });

  it('hands a disabled agent’s claims back', async () => {
    const extra = agents[4];
    const r = await text('+12015550323', 'Hi');
    await act(extra, r.conversation, 'claim');
    await admin.pb.collection('users').update(extra.record.id, { disabled: true });
    expect(await conv(r.conversation)).toMatchObject({ queue_state: 'waiting' });
  });
});

describe('timeouts', () => {
  it('returns an unanswered claim to the queue and closes a quiet conversation, on the sweep', async () => {
    const q = await admin.pb.collection('queues').create({ name: 'Support', members: [alice.record.id], release_after_s: 600, close_after_s: 86400 });
    const n = await app.superuser.collection('numbers').create({ e164: '+12015550250', label: 'Support', sms_enabled: true, mode: 'queue', queue: q.id });
    await login(alice, q.id);
    const r = await bridge.pb.send('/api/sms/inbound', { method: 'POST', body: { dedupe_key: `q${++seq}`, from: '+12015550330', to: n.e164, body: 'Broken screen' } });
    await act(alice, r.conversation, 'claim');
    const sweep = (offsetS: number) => admin.pb.send('/api/queue/sweep', { method: 'POST', body: { at: Date.now() + offsetS * 1000 } });
    expect(await sweep(60)).toEqual({ released: 0, closed: 0 });
    expect(await sweep(601)).toEqual({ released: 1, closed: 0 });
    expect((await lines(r.conversation)).at(-1)).toBe('Returned to queue: no reply in 10 min');
    await act(alice, r.conversation, 'claim');
    await alice.pb.collection('messages').create({ conversation: r.conversation, body: 'On it' });
    expect(await sweep(7200)).toEqual({ released: 0, closed: 0 });
    expect(await sweep(86401)).toEqual({ released: 0, closed: 1 });
    expect((await lines(r.conversation)).at(-1)).toBe('Closed after 24 h without activity');
    expect((await failure(alice.pb.send('/api/queue/sweep', { method: 'POST' }))).status).toBe(403);
  });
});

describe('numbers switching modes', () => {
  it('turns queue conversations into plain SMS threads when the number goes direct, losing nothing', async () => {
    const q = await admin.pb.collection('queues').create({ name: 'Temp', members: [bob.record.id] });
    const n = await app.superuser.collection('numbers').create({ e164: '+12015550260', label: 'Temp', sms_enabled: true, mode: 'queue', queue: q.id });
    const r = await bridge.pb.send('/api/sms/inbound', { method: 'POST', body: { dedupe_key: `q${++seq}`, from: '+12015550340', to: n.e164, body: 'hello queue' } });
    await admin.pb.collection('users').update(dan.record.id, { sms_numbers: [n.id] });
    await admin.pb.collection('numbers').update(n.id, { mode: 'direct' });
    expect(await conv(r.conversation)).toMatchObject({ queue: '', queue_state: '', members: [dan.record.id] });
    expect((await dan.pb.collection('messages').getFullList({ filter: `conversation = '${r.conversation}'` })).map((m) => m.body)).toContain('hello queue');
    // and back: the direct thread joins the queue when the customer next texts
    await admin.pb.collection('numbers').update(n.id, { mode: 'queue', queue: q.id });
    expect(await canRead(dan, r.conversation)).toBe(true);
    await bridge.pb.send('/api/sms/inbound', { method: 'POST', body: { dedupe_key: `q${++seq}`, from: '+12015550340', to: n.e164, body: 'back again' } });
    expect(await conv(r.conversation)).toMatchObject({ queue: q.id, queue_state: 'waiting' });
  });

  it('does not let someone allowed on a queue number into a queue conversation through + New → SMS', async () => {
    await admin.pb.collection('users').update(dan.record.id, { sms_numbers: [number.id] });
    const r = await text('+12015550350', 'hello');
    const err = await failure(dan.pb.send('/api/conversations/sms', { method: 'POST', body: { to: '+12015550350', number: number.id } }));
    expect(err.response.data.to.message).toBe('Texts with this customer go to the queue Sales; an agent of Sales answers them.');
    expect(await canRead(dan, r.conversation)).toBe(false);
  });

  it('refuses queue mode without a queue, and archiving a queue a number still uses', async () => {
    const err = await failure(admin.pb.collection('numbers').create({ e164: '+12015550270', sms_enabled: true, mode: 'queue' }));
    expect(err.response.data.queue.message).toBe('Pick the queue this number sends its texts to.');
    const busy = await failure(admin.pb.collection('queues').update(sales.id, { archived: true }));
    expect(busy.response.data.archived.message).toBe('(201) 555-0200 still sends its texts to this queue; switch the number first.');
  });
});
