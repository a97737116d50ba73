// Security review findings (issue 8), each against the real binary: thread
// access follows number permissions, every inbound text is stored, the last
// administrator holds under concurrency, a retry obeys the sending rule,
// invisible text is refused, and a disabled account's sign-in answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientResponseError, type RecordModel } from 'pocketbase';
import { createService, createUser, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';
import { events } from '../helpers/events';

let app: Appliance;
let admin: SignedIn, alice: SignedIn, bob: SignedIn, carol: SignedIn, bridge: SignedIn;
let main: RecordModel, second: RecordModel;
let seq = 0;

beforeAll(async () => {
  app = await startAppliance();
  const su = app.superuser;
  main = await su.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct' });
  second = await su.collection('numbers').create({ e164: '+12015550111', label: 'Second', sms_enabled: true, mode: 'direct' });
  admin = await createUser(app, { name: 'Ada', extension: '100', role: 'admin' });
  alice = await createUser(app, { name: 'Alice', extension: '101' });
  bob = await createUser(app, { name: 'Bob', extension: '102' });
  carol = await createUser(app, { name: 'Carol', extension: '103' });
  await grant(alice, [main.id, second.id]);
  await grant(bob, [main.id]);
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

const grant = (u: SignedIn, numbers: string[]) => admin.pb.collection('users').update(u.record.id, { sms_numbers: numbers });
const openSms = (as: SignedIn, to: string, number?: string) =>
  as.pb.send<RecordModel>('/api/conversations/sms', { method: 'POST', body: { to, number } });
const inbound = (body: Record<string, unknown>) =>
  bridge.pb.send<{ stored: boolean; duplicate: boolean; conversation: string }>('/api/sms/inbound', {
    method: 'POST',
    body: { dedupe_key: `k${++seq}`, to: '+12015550100', ...body },
  });
const canRead = (as: SignedIn, conversation: string) =>
  as.pb.collection('conversations').getOne(conversation).then(() => true, () => false);
const post = (as: SignedIn, conversation: string, body: string) => as.pb.collection('messages').create({ conversation, body });

describe('thread access follows number permissions', () => {
  it('brings a colleague given the number into its existing threads, live, with history read', async () => {
    const t = await openSms(alice, '+12015550123', main.id);
    await post(alice, t.id, 'Your PIN is 860217');
    expect(await canRead(carol, t.id)).toBe(false);
    // before the grant, opening the thread answers nothing about it
    expect((await failure(openSms(carol, '+12015550123', main.id))).status).toBe(400);

    const carolInbox = await events(carol.pb, 'inbox');
    await grant(carol, [main.id]);
    const arrived = await carolInbox.next((e) => e.type === 'conversation' && e.conversation.id === t.id);
    expect(arrived.conversation.members).toContain(carol.record.id);
    expect(await canRead(carol, t.id)).toBe(true);
    const unread = await carol.pb.send<Record<string, number>>('/api/unread', {});
    expect(unread[t.id] ?? 0).toBe(0);
    // texts that arrive now reach her too
    const text = await inbound({ from: '+12015550123', body: 'Thanks!' });
    expect(text.conversation).toBe(t.id);
    await carolInbox.next((e) => e.type === 'message' && e.message.body === 'Thanks!');
    await carolInbox.off();
  });

  it('takes a colleague out of the threads when the number is taken away, live, and keeps them out', async () => {
    const t = await openSms(bob, '+12015550124', main.id);
    const bobInbox = await events(bob.pb, 'inbox');
    await grant(bob, []);
    await bobInbox.next((e) => e.type === 'removed' && e.conversation === t.id);
    expect(await canRead(bob, t.id)).toBe(false);
    expect(await bob.pb.collection('messages').getFullList({ filter: `conversation = '${t.id}'` })).toEqual([]);
    // a new text to the number no longer reaches him
    await inbound({ from: '+12015550124', body: 'Anyone there?' });
    await post(alice, t.id, 'marker after revoke');
    expect(bobInbox.seen.some((e) => e.type === 'message' && e.message.conversation === t.id)).toBe(false);
    await bobInbox.off();
    await grant(bob, [main.id]);
    expect(await canRead(bob, t.id)).toBe(true);
  });

  it('follows a disabled account, SMS switched off and on, and a deleted number', async () => {
    const t = await openSms(alice, '+12015550125', main.id);
    const members = async () => (await app.superuser.collection('conversations').getOne(t.id)).members;
    // (disabling ends Bob's sessions: his membership is read as the superuser)
    await admin.pb.collection('users').update(bob.record.id, { disabled: true });
    expect(await members()).not.toContain(bob.record.id);
    await admin.pb.collection('users').update(bob.record.id, { disabled: false });
    expect(await members()).toContain(bob.record.id);

    await admin.pb.collection('numbers').update(main.id, { sms_enabled: false });
    expect(await canRead(alice, t.id)).toBe(false);
    expect(await members()).toEqual([]);
    // texts still arrive and are kept for when SMS is back
    const late = await inbound({ from: '+12015550125', body: 'while off' });
    expect(late.conversation).toBe(t.id);
    await admin.pb.collection('numbers').update(main.id, { sms_enabled: true });
    expect(await canRead(alice, t.id)).toBe(true);

    const temp = await app.superuser.collection('numbers').create({ e164: '+12015550177', label: 'Temp', sms_enabled: true, mode: 'direct' });
    await grant(carol, [main.id, temp.id]);
    const doomed = await openSms(carol, '+12015550126', temp.id);
    const carolInbox = await events(carol.pb, 'inbox');
    await admin.pb.collection('numbers').delete(temp.id);
    await carolInbox.next((e) => e.type === 'removed' && e.conversation === doomed.id);
    expect(await canRead(carol, doomed.id)).toBe(false);
    await carolInbox.off();
  });

  it('never answers a conversation to someone outside it', async () => {
    // a thread whose members fell out of step (written behind the hooks' back)
    const t = await openSms(alice, '+12015550127', main.id);
    await app.superuser.collection('conversations').update(t.id, { members: [alice.record.id] });
    expect(await canRead(carol, t.id)).toBe(false);
    const opened = await openSms(carol, '+12015550127', main.id);
    expect(opened.members).toContain(carol.record.id);
    expect(await canRead(carol, t.id)).toBe(true);
  });
});

describe('every inbound text is stored', () => {
  it('keeps texts from sender names and short codes in threads shown as written', async () => {
    for (const from of ['ACMEBANK', '72975', 'Info 24']) {
      const r = await inbound({ from, body: `Your code from ${from} is 1234` });
      expect(r.stored).toBe(true);
      expect(r.conversation).not.toBe('');
      const phones = await alice.pb.collection('participants').getFullList({ filter: `conversation = '${r.conversation}' && phone != ''` });
      expect(phones.map((p) => p.phone)).toEqual([from]);
    }
    const empty = await inbound({ from: '', body: 'who am I' });
    expect(empty.stored).toBe(true);
    const log = await admin.pb.send('/api/collections/inbound_log/records', { query: { filter: `body = 'who am I'` } });
    expect(log.items[0].from).toBe('unknown');
  });

  it('refuses a reply to a sender name with a sentence, and texts a short code back', async () => {
    const bank = await inbound({ from: 'ACMEBANK', body: 'Balance 12.00' });
    const err = await failure(post(alice, bank.conversation, 'thanks'));
    expect(err.response.data.body.message).toBe('ACMEBANK is a sender name, not a phone number: it cannot receive texts.');
    const short = await inbound({ from: '72975', body: 'Reply YES to confirm' });
    const reply = await post(alice, short.conversation, 'YES');
    const legs = await alice.pb.collection('deliveries').getFullList({ filter: `message = '${reply.id}'` });
    expect(legs.map((d) => [d.to, d.status])).toEqual([['72975', 'queued']]);
  });

  it('does not take STOP from a sender name as an opt-out', async () => {
    const r = await inbound({ from: 'ACMEBANK', body: 'STOP' });
    expect(r.stored).toBe(true);
    expect(await admin.pb.collection('opt_outs').getFullList({ filter: `phone = 'ACMEBANK'` })).toEqual([]);
  });

  it('stores a 30-part text whole, and does not relay what no one could send', async () => {
    const long = 'All work and no play. '.repeat(209).slice(0, 4590);
    const r = await inbound({ from: '+12015550130', body: long });
    const [m] = await alice.pb.collection('messages').getFullList({ filter: `conversation = '${r.conversation}'`, sort: '-created' });
    expect(m.body).toBe(long);
    // in a group with a second phone, the relay leg says why it did not go
    const g = await alice.pb.send<RecordModel>('/api/conversations/group', {
      method: 'POST',
      body: { title: 'Site', members: [], phones: ['+12015550131', '+12015550132'], number: main.id },
    });
    await post(alice, g.id, 'hello both');
    const relay = await inbound({ from: '+12015550131', body: long });
    expect(relay.conversation).toBe(g.id);
    const [stored] = await alice.pb.collection('messages').getFullList({ filter: `conversation = '${g.id}' && author_phone != ''` });
    const legs = await alice.pb.collection('deliveries').getFullList({ filter: `message = '${stored.id}'` });
    expect(legs.map((d) => [d.to, d.status, d.error])).toEqual([['+12015550132', 'failed', 'Not relayed by SMS: it would take 31 parts; the limit is 10.']]);
  });
});

describe('the last administrator', () => {
  it('holds when two administrators demote or disable each other at the same moment', async () => {
    const su = app.superuser;
    let zero = 0;
    for (let round = 0; round < 15; round++) {
      const a = await createUser(app, { name: `A${round}`, extension: `7${String(round).padStart(2, '0')}0`, role: 'admin' });
      const b = await createUser(app, { name: `B${round}`, extension: `7${String(round).padStart(2, '0')}1`, role: 'admin' });
      // only these two are active administrators this round
      for (const other of await su.collection('users').getFullList({ filter: `role = 'admin' && disabled = false` })) {
        if (other.id !== a.record.id && other.id !== b.record.id) await su.collection('users').update(other.id, { role: 'member' });
      }
      const change = round % 3 === 0 ? { role: 'member' } : round % 3 === 1 ? { disabled: true } : null;
      const [ra, rb] = await Promise.allSettled([
        a.pb.collection('users').update(b.record.id, change ?? { role: 'member' }),
        b.pb.collection('users').update(a.record.id, change ?? { disabled: true }),
      ]);
      expect([ra.status, rb.status].sort()).toEqual(['fulfilled', 'rejected']);
      if ((await su.collection('users').getFullList({ filter: `role = 'admin' && disabled = false` })).length === 0) zero++;
    }
    expect(zero).toBe(0);
    // leave Ada an administrator for the other tests
    await su.collection('users').update(admin.record.id, { role: 'admin', disabled: false });
  });
});

describe('retrying a delivery', () => {
  it('obeys the same rule as sending: any member of a group may retry', async () => {
    const g = await alice.pb.send<RecordModel>('/api/conversations/group', {
      method: 'POST',
      body: { title: 'Retry', members: [carol.record.id], phones: ['+12015550140'], number: second.id },
    });
    const m = await post(alice, g.id, 'hello');
    const [d] = await alice.pb.collection('deliveries').getFullList({ filter: `message = '${m.id}'` });
    await bridge.pb.collection('deliveries').update(d.id, { status: 'failed', error: 'SMSC said no' });
    // carol is not allowed on the group's number, but she may write to its phones, so retry too
    await carol.pb.send(`/api/deliveries/${d.id}/retry`, { method: 'POST' });
    expect((await alice.pb.collection('deliveries').getOne(d.id)).status).toBe('queued');
  });
});

describe('invisible text', () => {
  it('refuses a message of zero-width characters only', async () => {
    const chat = await alice.pb.send<RecordModel>('/api/conversations/direct', { method: 'POST', body: { user: carol.record.id } });
    for (const body of ['\u200B\u200B', '\u200D\uFEFF \u2060', '\u202E\u202C']) {
      expect((await failure(post(alice, chat.id, body))).response.data.body.message).toBe('Write something before sending.');
    }
  });

  it('strips direction overrides from group titles and display names, and refuses a blank name', async () => {
    const g = await alice.pb.send<RecordModel>('/api/conversations/group', { method: 'POST', body: { title: '\u202EpuorG\u202C ops', members: [carol.record.id] } });
    expect(g.title).toBe('puorG ops');
    expect((await failure(alice.pb.send(`/api/conversations/${g.id}/title`, { method: 'POST', body: { title: '\u200B\u200B' } }))).response.data.title.message).toBe('Give the group a name.');
    const me = await alice.pb.collection('users').update(alice.record.id, { name: 'Alice \u2067Admin\u2069' });
    expect(me.name).toBe('Alice Admin');
    for (const name of ['   ', '\u200B\u200E']) {
      expect((await failure(alice.pb.collection('users').update(alice.record.id, { name }))).response.data.name.message).toBe(
        'Enter a name with at least one visible character.',
      );
    }
    const made = await failure(admin.pb.collection('users').create({ name: '\u200B', extension: '555', email: 'z@test.local', password: 'pw-12345678', passwordConfirm: 'pw-12345678' }));
    expect(made.status).toBe(400);
  });
});

describe('a disabled account signing in', () => {
  it('answers a wrong password exactly as for an active account; only the right one hears "disabled"', async () => {
    await createUser(app, { name: 'Dora', extension: '801', password: 'dora-password-1' });
    const eve = await createUser(app, { name: 'Eve', extension: '802', password: 'eve-password-1' });
    await admin.pb.collection('users').update(eve.record.id, { disabled: true });
    const active = await failure(app.client().collection('users').authWithPassword('801', 'wrong-password-1'));
    const disabled = await failure(app.client().collection('users').authWithPassword('802', 'wrong-password-1'));
    expect([disabled.status, disabled.response]).toEqual([active.status, active.response]);
    const right = await failure(app.client().collection('users').authWithPassword('802', 'eve-password-1'));
    expect([right.status, right.message]).toEqual([403, 'This account is disabled. Ask an administrator.']);
  });
});
