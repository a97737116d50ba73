// SMS plumbing in PocketBase: opening a thread from a business number, one
// queued delivery per external participant, the segment limit, and the
// bridge's inbound route (exactly once per dedupe key, unknown numbers kept).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientResponseError, type RecordModel } from 'pocketbase';
import { createService, createUser, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';

let app: Appliance;
let alice: SignedIn, bob: SignedIn, carol: SignedIn, bridge: SignedIn;
let main: RecordModel, off: RecordModel;

beforeAll(async () => {
  app = await startAppliance();
  const su = app.superuser;
  const link = await su.collection('smsc_links').create({ name: 'Carrier', host: '127.0.0.1', port: 2775, system_id: 'esme', bind: 'trx', enabled: false });
  main = await su.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct', smsc_link: link.id });
  off = await su.collection('numbers').create({ e164: '+12015550199', label: 'Fax', sms_enabled: false, mode: 'direct' });
  alice = await createUser(app, { name: 'Alice', extension: '201' });
  bob = await createUser(app, { name: 'Bob', extension: '202' });
  carol = await createUser(app, { name: 'Carol', extension: '203' });
  for (const u of [alice, bob]) await su.collection('users').update(u.record.id, { sms_numbers: [main.id, off.id], default_number: main.id });
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

const openSms = (as: SignedIn, to: string, number?: string) =>
  as.pb.send<RecordModel>('/api/conversations/sms', { method: 'POST', body: { to, number } });
const inbound = (body: Record<string, unknown>) =>
  bridge.pb.send<{ stored: boolean; duplicate: boolean; conversation: string }>('/api/sms/inbound', { method: 'POST', body });

describe('SMS threads', () => {
  it('opens one thread per (number, phone) for everyone allowed on the number', async () => {
    const t = await openSms(alice, '(201) 555-0123');
    expect(t).toMatchObject({ kind: 'sms', our_number: main.id, sms_key: `${main.id}:+12015550123` });
    expect(t.members.sort()).toEqual([alice.record.id, bob.record.id].sort());
    expect((await openSms(bob, '+1 201 555 0123')).id).toBe(t.id);
    const phones = await alice.pb.collection('participants').getFullList({ filter: `conversation = "${t.id}" && phone != ""` });
    expect(phones.map((p) => p.phone)).toEqual(['+12015550123']);
  });

  it('explains what is wrong with a number or a business number', async () => {
    expect((await failure(openSms(alice, 'pizza'))).response.data.to.message).toBe('A phone number has only digits, spaces and + ( ) - .');
    expect((await failure(openSms(alice, '555'))).response.data.to.message).toBe('555 is not a complete phone number.');
    expect((await failure(openSms(alice, '2015550123', off.id))).response.data.number.message).toBe('SMS is switched off for +12015550199.');
    expect((await failure(openSms(carol, '2015550123'))).response.data.number.message).toBe('No SMS number is assigned to you; ask an administrator.');
    expect((await failure(openSms(carol, '2015550123', main.id))).response.data.number.message).toBe('You may not text from that number.');
  });

  it('queues one delivery per external participant with segments and encoding, in the same write as the message', async () => {
    const t = await openSms(alice, '2015550124');
    const m = await alice.pb.collection('messages').create({ conversation: t.id, body: 'Your order is ready 😀' });
    const [d] = await alice.pb.collection('deliveries').getFullList({ filter: `message = "${m.id}"` });
    expect(d).toMatchObject({ to: '+12015550124', from: '+12015550100', body: 'Your order is ready 😀', status: 'queued', segments: 1, encoding: 'UCS-2', attempts: 0 });
    // a colleague outside the number sees none of it
    expect(await carol.pb.collection('deliveries').getFullList()).toHaveLength(0);
  });

  it('tells the thread members, and nobody else, when the bridge moves a delivery', async () => {
    const t = await openSms(alice, '2015550126');
    const m = await alice.pb.collection('messages').create({ conversation: t.id, body: 'Status please' });
    const [d] = await alice.pb.collection('deliveries').getFullList({ filter: `message = "${m.id}"` });
    const heard: any[] = [];
    const carolHeard: any[] = [];
    let resolveHeard!: (e: any) => void;
    const got = new Promise<any>((ok) => (resolveHeard = ok));
    await bob.pb.realtime.subscribe('inbox', (e: any) => {
      heard.push(e);
      if (e.type === 'delivery') resolveHeard(e);
    });
    await carol.pb.realtime.subscribe('inbox', (e: any) => carolHeard.push(e));
    await bridge.pb.collection('deliveries').update(d.id, { status: 'sent', smsc_ids: ['a1'] });
    const e = await got;
    expect(e).toMatchObject({ type: 'delivery', conversation: t.id, delivery: { id: d.id, status: 'sent', smsc_ids: ['a1'] } });
    // carol shares no conversation with this thread: a marker she can see proves she got nothing before it
    const marker = await alice.pb.send<RecordModel>('/api/conversations/direct', { method: 'POST', body: { user: carol.record.id } });
    let markerSeen!: () => void;
    const markerArrived = new Promise<void>((ok) => (markerSeen = ok));
    await carol.pb.realtime.subscribe('inbox', (ev: any) => ev.type === 'message' && ev.message.conversation === marker.id && markerSeen());
    await alice.pb.collection('messages').create({ conversation: marker.id, body: 'marker' });
    await markerArrived;
    expect(carolHeard.filter((x) => x.type === 'delivery')).toHaveLength(0);
    await bob.pb.realtime.unsubscribe();
    await carol.pb.realtime.unsubscribe();
  });

  it('marks a thread whose newest text failed with one conversation event, and clears it with the next message (issue 14, item 4)', async () => {
    const t = await openSms(alice, '2015550127');
    const m = await alice.pb.collection('messages').create({ conversation: t.id, body: 'Are you there?' });
    const [d] = await alice.pb.collection('deliveries').getFullList({ filter: `message = "${m.id}"` });
    const heard: any[] = [];
    let wake = () => {};
    await bob.pb.realtime.subscribe('inbox', (e: any) => {
      heard.push(e);
      wake();
    });
    const until = (pred: () => boolean) => new Promise<void>((ok) => (wake = () => pred() && ok()));
    const of = (type: string) => heard.filter((e) => e.type === type && (e.conversation === t.id || e.conversation?.id === t.id || e.message?.conversation === t.id));

    // a status that leaves the mark as it is announces the delivery only
    let arrived = until(() => of('delivery').length === 1);
    await bridge.pb.collection('deliveries').update(d.id, { status: 'sent', smsc_ids: ['b1'] });
    await arrived;
    arrived = until(() => of('conversation').length === 1);
    await bridge.pb.collection('deliveries').update(d.id, { status: 'failed', error: 'Number does not exist', error_code: '0x0B' });
    await arrived;
    // in order on the stream: the delivery, then the conversation with its mark
    expect(heard.map((e) => e.type)).toEqual(['delivery', 'delivery', 'conversation']);
    expect(of('conversation')[0].conversation).toMatchObject({ id: t.id, last_failed: true });
    expect((await alice.pb.collection('conversations').getOne(t.id)).last_failed).toBe(true);

    // the next message clears it in the write that moves the thread up: the message event says enough
    arrived = until(() => of('message').length === 1);
    await alice.pb.collection('messages').create({ conversation: t.id, body: 'Calling you instead' });
    await arrived;
    expect((await alice.pb.collection('conversations').getOne(t.id)).last_failed).toBe(false);
    expect(of('conversation')).toHaveLength(1);
    await bob.pb.realtime.unsubscribe();
  });

  it('hands each queued delivery to the bridge on its own topic, and to no one else', async () => {
    const t = await openSms(alice, '2015550127');
    const bridgeHeard: any[] = [];
    const aliceHeard: any[] = [];
    let wake!: (e: any) => void;
    let woken = new Promise<any>((ok) => (wake = ok));
    await bridge.pb.realtime.subscribe('queued_deliveries', (e: any) => {
      bridgeHeard.push(e);
      wake(e);
    });
    // a person may name the topic too: nothing reaches them
    await alice.pb.realtime.subscribe('queued_deliveries', (e: any) => aliceHeard.push(e));
    const m = await alice.pb.collection('messages').create({ conversation: t.id, body: 'Queued for the bridge' });
    const created = await woken;
    expect(created).toMatchObject({ action: 'create', record: { message: m.id, to: '+12015550127', status: 'queued', body: 'Queued for the bridge' } });
    const id = created.record.id;
    // its own progress does not come back to it; a text put back in the queue does
    await bridge.pb.collection('deliveries').update(id, { status: 'sending' });
    await bridge.pb.collection('deliveries').update(id, { status: 'failed', error: 'test' });
    woken = new Promise<any>((ok) => (wake = ok));
    await alice.pb.send(`/api/deliveries/${id}/retry`, { method: 'POST' });
    expect(await woken).toMatchObject({ action: 'update', record: { id, status: 'queued' } });
    expect(bridgeHeard.map((e) => `${e.action} ${e.record.status}`)).toEqual(['create queued', 'update queued']);
    expect(aliceHeard).toHaveLength(0);
    await bridge.pb.realtime.unsubscribe();
    await alice.pb.realtime.unsubscribe();
  });

  it('refuses a text over the segment limit before storing anything', async () => {
    const t = await openSms(alice, '2015550125');
    const err = await failure(alice.pb.collection('messages').create({ conversation: t.id, body: 'é'.repeat(1531) }));
    expect(err.response.data.body.message).toBe('This text would be sent as 11 SMS (GSM-7); the limit is 10. Shorten it.');
    expect(await alice.pb.collection('messages').getFullList({ filter: `conversation = "${t.id}"` })).toHaveLength(0);
  });
});

describe('inbound route', () => {
  it('stores a text once per dedupe key and puts it in the thread for (number, sender)', async () => {
    const text = { link: '', from: '12015550130', to: '12015550100', body: 'Is the shop open?', dedupe_key: 'k-1' };
    const first = await inbound(text);
    expect(first).toMatchObject({ stored: true, duplicate: false });
    const again = await inbound(text);
    expect(again).toEqual({ stored: true, duplicate: true, conversation: first.conversation });

    const t = await alice.pb.collection('conversations').getOne(first.conversation);
    expect(t.sms_key).toBe(`${main.id}:+12015550130`);
    const msgs = await bob.pb.collection('messages').getFullList({ filter: `conversation = "${t.id}"` });
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatchObject({ author: '', author_phone: '+12015550130', body: 'Is the shop open?', kind: 'text' });
    const logs = await app.superuser.collection('inbound_log').getFullList();
    expect(logs.filter((l) => l.dedupe_key === 'k-1')).toHaveLength(1);
  });

  it('gives twenty concurrent first texts from a new number one thread', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => inbound({ from: '+12015550140', to: '+12015550100', body: `text ${i}`, dedupe_key: `burst-${i}` })),
    );
    expect(new Set(results.map((r) => r.conversation)).size).toBe(1);
    expect(await alice.pb.collection('messages').getFullList({ filter: `conversation = "${results[0].conversation}"` })).toHaveLength(20);
  });

  it('keeps a text to an unknown business number for the admin', async () => {
    const r = await inbound({ from: '+12015550150', to: '+12015550777', body: 'hello?', dedupe_key: 'lost-1' });
    expect(r).toEqual({ stored: true, duplicate: false, conversation: '' });
    const [log] = await app.superuser.collection('inbound_log').getFullList({ filter: 'dedupe_key = "lost-1"' });
    expect(log).toMatchObject({ from: '+12015550150', to: '+12015550777', body: 'hello?', conversation: '' });
  });

  it('is for services only', async () => {
    expect((await failure(alice.pb.send('/api/sms/inbound', { method: 'POST', body: { from: '1', to: '2', dedupe_key: 'x' } }))).status).toBe(403);
    expect((await failure(app.client().send('/api/sms/inbound', { method: 'POST', body: {} }))).status).toBe(401);
  });
});
