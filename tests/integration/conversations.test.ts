// Team chat against the real PocketBase: direct and group conversations,
// membership changes with system lines, access after removal, unread counts,
// idempotent sends, realtime delivery limited to members, typing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientResponseError, type RecordModel } from 'pocketbase';
import { createUser, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';
import { events } from '../helpers/events';

let app: Appliance;
let alice: SignedIn, bob: SignedIn, carol: SignedIn, dave: SignedIn, admin: SignedIn;

beforeAll(async () => {
  app = await startAppliance();
  admin = await createUser(app, { name: 'Ada Admin', extension: '100', role: 'admin' });
  alice = await createUser(app, { name: 'Alice', extension: '201' });
  bob = await createUser(app, { name: 'Bob', extension: '202' });
  carol = await createUser(app, { name: 'Carol', extension: '203' });
  dave = await createUser(app, { name: 'Dave', extension: '204' });
});
afterAll(async () => {
  for (const u of [alice, bob, carol, dave, admin]) u?.pb.realtime.unsubscribe().catch(() => {});
  await app?.stop();
});

async function failure(p: Promise<unknown>): Promise<ClientResponseError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ClientResponseError) return err;
    throw err;
  }
  throw new Error('expected the request to fail');
}

const openDirect = (as: SignedIn, user: string) =>
  as.pb.send<RecordModel>('/api/conversations/direct', { method: 'POST', body: { user } });
const createGroup = (as: SignedIn, title: string, members: string[]) =>
  as.pb.send<RecordModel>('/api/conversations/group', { method: 'POST', body: { title, members } });
const post = (as: SignedIn, conversation: string, body: string, client_key = '') =>
  as.pb.collection('messages').create({ conversation, body, client_key });
const unread = (as: SignedIn) => as.pb.send<Record<string, number>>('/api/unread', {});
const history = (as: SignedIn, conversation: string) =>
  as.pb.collection('messages').getFullList({ filter: `conversation = "${conversation}"`, sort: 'created,id' });

describe('direct conversations', () => {
  it('opens one conversation per pair whatever the order, even when opened concurrently', async () => {
    const first = await openDirect(alice, bob.record.id);
    const second = await openDirect(alice, bob.record.id);
    const reverse = await openDirect(bob, alice.record.id);
    expect(second.id).toBe(first.id);
    expect(reverse.id).toBe(first.id);
    expect(first.kind).toBe('direct');
    expect(first.members.sort()).toEqual([alice.record.id, bob.record.id].sort());

    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? openDirect(carol, dave.record.id) : openDirect(dave, carol.record.id))),
    );
    expect(new Set(burst.map((c) => c.id)).size).toBe(1);
    const stored = await app.superuser.collection('conversations').getFullList({ filter: 'kind = "direct"' });
    expect(stored).toHaveLength(2);
  });

  it('refuses a chat with yourself, an unknown or a disabled colleague', async () => {
    expect((await failure(openDirect(alice, alice.record.id))).status).toBe(400);
    expect((await failure(openDirect(alice, 'nosuchuser12345'))).status).toBe(400);
    const gone = await createUser(app, { name: 'Gone', extension: '299' });
    await app.superuser.collection('users').update(gone.record.id, { disabled: true });
    expect((await failure(openDirect(alice, gone.record.id))).response.data.user.message).toBe('Gone is disabled.');
    expect((await failure(app.client().send('/api/conversations/direct', { method: 'POST', body: { user: bob.record.id } }))).status).toBe(401);
  });
});

describe('sending', () => {
  it('stores the author from the session, moves the conversation up and refuses bad bodies', async () => {
    const c = await openDirect(alice, bob.record.id);
    const m = await alice.pb.collection('messages').create({ conversation: c.id, body: 'Hi Bob', author: bob.record.id, kind: 'text' });
    expect(m.author).toBe(alice.record.id);
    const conv = await bob.pb.collection('conversations').getOne(c.id);
    expect(conv.last_preview).toBe('Hi Bob');
    expect(conv.last_message_at).toBe(m.created);

    expect((await failure(post(alice, c.id, '   '))).response.data.body.message).toBe('Write something before sending.');
    const long = await failure(post(alice, c.id, 'x'.repeat(4001)));
    expect(long.response.data.body.message).toBe('Messages are limited to 4000 characters; this one has 4001.');
    const system = await failure(alice.pb.collection('messages').create({ conversation: c.id, body: 'fake', kind: 'system' }));
    expect(system.status).toBe(400);
    // not a member: the create rule refuses
    expect((await failure(post(carol, c.id, 'let me in'))).status).toBe(400);
  });

  it('makes one message of a retried or double-submitted client key', async () => {
    const c = await openDirect(alice, carol.record.id);
    const once = await post(alice, c.id, 'only once', 'key-1');
    const again = await post(alice, c.id, 'only once', 'key-1');
    expect(again.id).toBe(once.id);
    const burst = await Promise.all(Array.from({ length: 8 }, () => post(alice, c.id, 'burst', 'key-2')));
    expect(new Set(burst.map((m) => m.id)).size).toBe(1);
    const all = await history(alice, c.id);
    expect(all.filter((m) => m.body === 'only once')).toHaveLength(1);
    expect(all.filter((m) => m.body === 'burst')).toHaveLength(1);
  });
});

describe('groups', () => {
  it('writes a system line for create, rename, add, remove and leave, and shuts out those who go', async () => {
    const g = await createGroup(alice, '  Support  ', [bob.record.id, carol.record.id]);
    expect(g.title).toBe('Support');
    await alice.pb.send(`/api/conversations/${g.id}/title`, { method: 'POST', body: { title: 'Ops' } });
    await bob.pb.send(`/api/conversations/${g.id}/members`, { method: 'POST', body: { users: [dave.record.id] } });
    await alice.pb.send(`/api/conversations/${g.id}/members/${carol.record.id}`, { method: 'DELETE' });
    await dave.pb.send(`/api/conversations/${g.id}/leave`, { method: 'POST' });

    const lines = (await history(bob, g.id)).filter((m) => m.kind === 'system').map((m) => m.body);
    expect(lines).toEqual([
      'Alice created the group Support with Bob and Carol',
      'Alice renamed the group to Ops',
      'Bob added Dave',
      'Alice removed Carol',
      'Dave left the group',
    ]);
    const conv = await bob.pb.collection('conversations').getOne(g.id);
    expect(conv.title).toBe('Ops');
    expect(conv.members.sort()).toEqual([alice.record.id, bob.record.id].sort());

    for (const gone of [carol, dave]) {
      expect((await failure(gone.pb.collection('conversations').getOne(g.id))).status).toBe(404);
      expect(await gone.pb.collection('messages').getFullList({ filter: `conversation = "${g.id}"` })).toHaveLength(0);
      expect((await failure(post(gone, g.id, 'still here?'))).status).toBe(400);
      expect((await failure(gone.pb.send(`/api/conversations/${g.id}/title`, { method: 'POST', body: { title: 'x' } }))).status).toBe(404);
    }
    // the admin is no member either
    expect((await failure(admin.pb.collection('conversations').getOne(g.id))).status).toBe(404);
  });

  it('refuses nameless groups and groups without colleagues', async () => {
    expect((await failure(createGroup(alice, ' ', [bob.record.id]))).response.data.title.message).toBe('Give the group a name.');
    expect((await failure(createGroup(alice, 'Solo', [alice.record.id]))).response.data.members.message).toBe('Pick at least one colleague.');
    const direct = await openDirect(alice, bob.record.id);
    expect((await failure(alice.pb.send(`/api/conversations/${direct.id}/title`, { method: 'POST', body: { title: 'x' } }))).status).toBe(400);
  });
});

describe('unread and read receipts', () => {
  it('counts messages from others after your read position, and a read moves the position others see', async () => {
    const g = await createGroup(alice, 'Counting', [bob.record.id, carol.record.id]);
    expect((await unread(bob))[g.id]).toBe(1); // "Alice created the group…"
    const own = await post(bob, g.id, 'mine');
    for (let i = 0; i < 3; i++) await post(alice, g.id, `n${i}`);
    const counts = await unread(bob);
    expect(counts[g.id]).toBe(4);
    expect((await unread(alice))[g.id]).toBe(1); // bob's "mine"
    void own;

    const last = (await history(bob, g.id)).at(-1)!;
    const mine = await bob.pb.collection('participants').getFirstListItem(`conversation = "${g.id}" && user = "${bob.record.id}"`);
    await bob.pb.collection('participants').update(mine.id, { last_read_at: last.created });
    expect((await unread(bob))[g.id]).toBeUndefined();

    // alice sees bob's read position, the source of the check marks
    const seen = await alice.pb.collection('participants').getFullList({ filter: `conversation = "${g.id}"` });
    expect(seen.find((p) => p.user === bob.record.id)!.last_read_at).toBe(last.created);
    // but bob cannot move anyone else's
    const alices = seen.find((p) => p.user === alice.record.id)!;
    expect((await failure(bob.pb.collection('participants').update(alices.id, { last_read_at: last.created }))).status).toBe(404);
  });
});

describe('realtime', () => {
  it('delivers collection events only to members, and stops at removal', async () => {
    const g = await createGroup(alice, 'Live', [bob.record.id, carol.record.id]);
    const marker = await createGroup(alice, 'Marker', [dave.record.id, carol.record.id, admin.record.id]);
    const bobSees = await events(bob.pb, 'messages/*');
    const daveSees = await events(dave.pb, 'messages/*');
    const adminSees = await events(admin.pb, 'messages/*');

    const m = await post(alice, g.id, 'for the Live group');
    expect((await bobSees.next((e) => e.record.id === m.id)).action).toBe('create');
    // events reach each client in order: once the marker arrives, anything
    // from the Live group would already have arrived
    const mark = await post(alice, marker.id, 'marker 1');
    await daveSees.next((e) => e.record.id === mark.id);
    await adminSees.next((e) => e.record.id === mark.id);
    expect(daveSees.seen.some((e) => e.record.conversation === g.id)).toBe(false);
    expect(adminSees.seen.some((e) => e.record.conversation === g.id)).toBe(false);

    const carolSees = await events(carol.pb, 'messages/*');
    await alice.pb.send(`/api/conversations/${g.id}/members/${carol.record.id}`, { method: 'DELETE' });
    const after = await post(bob, g.id, 'carol is gone');
    const mark2 = await post(alice, marker.id, 'marker 2');
    await carolSees.next((e) => e.record.id === mark2.id);
    expect(carolSees.seen.some((e) => e.record.id === after.id)).toBe(false);
    await bobSees.next((e) => e.record.id === after.id);
  });

  it('feeds each inbox its conversations: messages, read positions, renames, removal', async () => {
    const g = await createGroup(alice, 'Inbox', [bob.record.id, carol.record.id]);
    const marker = await createGroup(alice, 'Inbox marker', [dave.record.id, carol.record.id, admin.record.id]);
    const bobInbox = await events(bob.pb, 'inbox');
    const carolInbox = await events(carol.pb, 'inbox');
    const daveInbox = await events(dave.pb, 'inbox');
    const adminInbox = await events(admin.pb, 'inbox');

    const m = await post(alice, g.id, 'hello inbox');
    expect((await bobInbox.next((e) => e.type === 'message' && e.message.id === m.id)).message).toMatchObject({ body: 'hello inbox', author: alice.record.id });
    const mark = await post(alice, marker.id, 'inbox marker 1');
    for (const other of [daveInbox, adminInbox]) {
      await other.next((e) => e.type === 'message' && e.message.id === mark.id);
      expect(other.seen.some((e) => JSON.stringify(e).includes(g.id))).toBe(false);
    }

    const mine = await bob.pb.collection('participants').getFirstListItem(`conversation = "${g.id}" && user = "${bob.record.id}"`);
    await bob.pb.collection('participants').update(mine.id, { last_read_at: m.created });
    const read = await carolInbox.next((e) => e.type === 'participant' && e.participant.id === mine.id);
    expect(read.participant.last_read_at).toBe(m.created);

    await alice.pb.send(`/api/conversations/${g.id}/title`, { method: 'POST', body: { title: 'Inbox 2' } });
    expect((await bobInbox.next((e) => e.type === 'conversation' && e.conversation.title === 'Inbox 2')).conversation.id).toBe(g.id);

    await alice.pb.send(`/api/conversations/${g.id}/members/${carol.record.id}`, { method: 'DELETE' });
    await carolInbox.next((e) => e.type === 'removed' && e.conversation === g.id);
    const after = await post(bob, g.id, 'carol cannot see this');
    const mark2 = await post(alice, marker.id, 'inbox marker 2');
    await carolInbox.next((e) => e.type === 'message' && e.message.id === mark2.id);
    expect(carolInbox.seen.some((e) => e.type === 'message' && e.message.id === after.id)).toBe(false);
  });

  it('sends "typing" to the other members only', async () => {
    const g = await createGroup(alice, 'Typing', [bob.record.id]);
    const marker = await createGroup(bob, 'Typing marker', [carol.record.id, alice.record.id]);
    const aliceHears = await events(alice.pb, 'inbox');
    const bobHears = await events(bob.pb, 'inbox');
    const carolHears = await events(carol.pb, 'inbox');

    await bob.pb.send(`/api/conversations/${g.id}/typing`, { method: 'POST' });
    const heard = await aliceHears.next((e) => e.type === 'typing');
    expect(heard).toEqual({ type: 'typing', conversation: g.id, user: bob.record.id, name: 'Bob', stopped: false });
    // a refused send ends the indicator at once
    await bob.pb.send(`/api/conversations/${g.id}/typing`, { method: 'POST', body: { stopped: true } });
    expect(await aliceHears.next((e) => e.type === 'typing' && e.stopped)).toMatchObject({ conversation: g.id, user: bob.record.id });

    await alice.pb.send(`/api/conversations/${marker.id}/typing`, { method: 'POST' });
    await carolHears.next((e) => e.type === 'typing' && e.conversation === marker.id);
    expect(carolHears.seen.filter((e) => e.type === 'typing' && e.conversation === g.id)).toHaveLength(0);
    expect(bobHears.seen.filter((e) => e.type === 'typing' && e.conversation === g.id)).toHaveLength(0);
    expect((await failure(carol.pb.send(`/api/conversations/${g.id}/typing`, { method: 'POST' }))).status).toBe(404);
  });
});
