// SMS routing in PocketBase (DESIGN.md §4 "Receive"): mixed groups with
// fan-out and relay, replies going to the conversation that last texted the
// phone, opt-outs with STOP / START / HELP, retrying a failed leg.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientResponseError, type RecordModel } from 'pocketbase';
import { createService, createUser, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';

let app: Appliance;
let alice: SignedIn, bob: SignedIn, carol: SignedIn, bridge: SignedIn;
let main: RecordModel;
let seq = 0;

beforeAll(async () => {
  app = await startAppliance();
  const su = app.superuser;
  main = await su.collection('numbers').create({ e164: '+12015550100', label: 'Acme Plumbing', sms_enabled: true, mode: 'direct' });
  alice = await createUser(app, { name: 'Alice', extension: '201' });
  bob = await createUser(app, { name: 'Bob', extension: '202' });
  carol = await createUser(app, { name: 'Carol', extension: '203' });
  for (const u of [alice, bob]) await su.collection('users').update(u.record.id, { sms_numbers: [main.id], default_number: main.id });
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

const phoneText = (from: string, body: string) =>
  bridge.pb.send<{ conversation: string; duplicate: boolean }>('/api/sms/inbound', {
    method: 'POST',
    body: { from, to: '+12015550100', body, dedupe_key: `t-${++seq}` },
  });
const post = (as: SignedIn, conversation: string, body: string) => as.pb.collection('messages').create({ conversation, body });
const deliveriesOf = (message: string) =>
  app.superuser.collection('deliveries').getFullList({ filter: `message = "${message}"`, sort: 'to' });
const lines = async (conversation: string) =>
  (await app.superuser.collection('messages').getFullList({ filter: `conversation = "${conversation}" && kind = "system"`, sort: 'created,id' })).map((m) => m.body);

describe('mixed groups', () => {
  it('texts every external member with the sender name and relays their replies to the others', async () => {
    const g = await alice.pb.send<RecordModel>('/api/conversations/group', {
      method: 'POST',
      body: { title: 'Site visit', members: [bob.record.id], phones: ['(201) 555-0161', '201-555-0162'] },
    });
    expect(g.our_number).toBe(main.id);
    expect(await lines(g.id)).toEqual(['Alice created the group Site visit with Bob, (201) 555-0161 and (201) 555-0162']);

    const m = await post(alice, g.id, 'On my way');
    expect((await deliveriesOf(m.id)).map((d) => [d.to, d.body, d.status])).toEqual([
      ['+12015550161', 'Alice: On my way', 'queued'],
      ['+12015550162', 'Alice: On my way', 'queued'],
    ]);

    const reply = await phoneText('+12015550161', 'Gate code is 1234');
    expect(reply.conversation).toBe(g.id);
    const [inbound] = await bob.pb.collection('messages').getFullList({ filter: `conversation = "${g.id}" && author_phone = "+12015550161"` });
    expect(inbound.body).toBe('Gate code is 1234');
    expect((await deliveriesOf(inbound.id)).map((d) => [d.to, d.body])).toEqual([['+12015550162', '(201) 555-0161: Gate code is 1234']]);
  });

  it('adds and removes an external number with a system line', async () => {
    const g = await alice.pb.send<RecordModel>('/api/conversations/group', { method: 'POST', body: { title: 'Crew', members: [bob.record.id] } });
    await bob.pb.send(`/api/conversations/${g.id}/phones`, { method: 'POST', body: { phone: '2015550171' } });
    const conv = await alice.pb.collection('conversations').getOne(g.id);
    expect(conv.our_number).toBe(main.id);
    await alice.pb.send(`/api/conversations/${g.id}/phones/${encodeURIComponent('+12015550171')}`, { method: 'DELETE' });
    expect(await lines(g.id)).toEqual(['Alice created the group Crew with Bob', 'Bob added (201) 555-0171', 'Alice removed (201) 555-0171']);
    const m = await post(alice, g.id, 'internal again');
    expect(await deliveriesOf(m.id)).toHaveLength(0);
  });

  it('lets only people allowed on the group\'s number add phones, and every member write to them', async () => {
    const g = await alice.pb.send<RecordModel>('/api/conversations/group', {
      method: 'POST',
      body: { title: 'Mixed', members: [carol.record.id], phones: ['2015550185'] },
    });
    // carol is in the group but not allowed on Acme's number: she cannot add
    // phones (that would choose whom the number texts), but alice, who may,
    // chose the number, so carol's messages reach the phones, under her name
    const add = await failure(carol.pb.send(`/api/conversations/${g.id}/phones`, { method: 'POST', body: { phone: '2015550186' } }));
    expect(add.response.data.number.message).toBe('You may not text from that number.');
    const m = await post(carol, g.id, 'hello phone');
    expect((await deliveriesOf(m.id)).map((d) => [d.to, d.from, d.status, d.body])).toEqual([['+12015550185', '+12015550100', 'queued', 'Carol: hello phone']]);
    await post(alice, g.id, 'hello from alice');
  });

  it('refuses external numbers from someone not allowed on a business number', async () => {
    const err = await failure(carol.pb.send('/api/conversations/group', { method: 'POST', body: { title: 'X', members: [], phones: ['2015550181'] } }));
    expect(err.response.data.number.message).toBe('No SMS number is assigned to you; ask an administrator.');
    const bad = await failure(alice.pb.send('/api/conversations/group', { method: 'POST', body: { title: 'X', phones: ['12'] } }));
    expect(bad.response.data.phones.message).toBe('12 is not a complete phone number.');
  });
});

describe('reply routing', () => {
  it('sends a reply to whichever conversation on that number last texted the phone', async () => {
    const phone = '+12015550191';
    const thread = await alice.pb.send<RecordModel>('/api/conversations/sms', { method: 'POST', body: { to: phone } });
    await post(alice, thread.id, 'Your quote is ready');
    expect((await phoneText(phone, 'thanks')).conversation).toBe(thread.id);

    const group = await bob.pb.send<RecordModel>('/api/conversations/group', { method: 'POST', body: { title: 'Job 42', phones: [phone] } });
    await post(bob, group.id, 'We start Monday');
    expect((await phoneText(phone, 'great')).conversation).toBe(group.id);

    await post(alice, thread.id, 'Invoice attached');
    expect((await phoneText(phone, 'paid')).conversation).toBe(thread.id);

    // once out of the group, its replies no longer go there
    await post(bob, group.id, 'Bye');
    await bob.pb.send(`/api/conversations/${group.id}/phones/${encodeURIComponent(phone)}`, { method: 'DELETE' });
    expect((await phoneText(phone, 'one more thing')).conversation).toBe(thread.id);
  });

  it('opens a thread for a phone nobody has texted, with everyone allowed on the number', async () => {
    const r = await phoneText('+12015550192', 'Do you do boilers?');
    const c = await alice.pb.collection('conversations').getOne(r.conversation);
    expect(c.kind).toBe('sms');
    expect(c.members.sort()).toEqual([alice.record.id, bob.record.id].sort());
    expect((await failure(carol.pb.collection('conversations').getOne(r.conversation))).status).toBe(404);
  });
});

describe('opt-outs', () => {
  it('sends the STOP reply an administrator reworded, and refuses one carriers would not accept', async () => {
    const admin = await createUser(app, { name: 'Ada', extension: '299', role: 'admin' });
    const settings = await admin.pb.collection('settings').getFirstListItem('');
    for (const [field, value, message] of [
      ['stop_reply', '', 'Carriers require this reply; write one or use the default.'],
      ['stop_reply', 'Bye.', 'Say how to opt back in (for example "Reply START to subscribe again").'],
      ['help_reply', 'x'.repeat(161), 'Keep it to one text: 160 characters at most.'],
    ]) {
      const err = await failure(admin.pb.collection('settings').update(settings.id, { [field]: value }));
      expect(err.response.data[field].message).toBe(message);
    }
    await admin.pb.collection('settings').update(settings.id, { stop_reply: 'Done: no more texts from Acme. Text START to come back.' });
    const phone = '+12015550209';
    await phoneText(phone, 'STOP');
    const [confirmation] = await app.superuser.collection('deliveries').getFullList({ filter: `to = "${phone}"` });
    expect(confirmation.body).toBe('Done: no more texts from Acme. Text START to come back.');
    await admin.pb.collection('settings').update(settings.id, { stop_reply: settings.stop_reply });
  });

  it('STOP confirms once then refuses sends with the date; START lifts it; HELP answers', async () => {
    const phone = '+12015550201';
    const thread = await alice.pb.send<RecordModel>('/api/conversations/sms', { method: 'POST', body: { to: phone } });
    await post(alice, thread.id, 'Reminder: appointment tomorrow');

    await phoneText(phone, 'Stop');
    const [optOut] = await app.superuser.collection('opt_outs').getFullList({ filter: `phone = "${phone}"` });
    expect(optOut).toMatchObject({ our_number: main.id, keyword: 'STOP' });
    const confirmations = await app.superuser.collection('deliveries').getFullList({ filter: `to = "${phone}" && body ~ "unsubscribed"` });
    expect(confirmations).toHaveLength(1);
    const participant = await alice.pb.collection('participants').getFirstListItem(`conversation = "${thread.id}" && phone = "${phone}"`);
    expect(participant.opted_out_at).toBe(optOut.at);

    const day = optOut.at.slice(0, 10);
    const refused = await failure(post(alice, thread.id, 'Are you sure?'));
    expect(refused.response.data.body.message).toBe(`(201) 555-0201 opted out of texts from this number on ${day} (replied STOP).`);

    await phoneText(phone, 'QUIT'); // already out: silence
    expect(await app.superuser.collection('deliveries').getFullList({ filter: `to = "${phone}" && body ~ "unsubscribed"` })).toHaveLength(1);

    // in a group the others still get it; the opted-out leg fails with the reason
    const group = await bob.pb.send<RecordModel>('/api/conversations/group', { method: 'POST', body: { title: 'Opted', phones: [phone, '+12015550202'] } });
    const gm = await post(bob, group.id, 'Hello both');
    const legs = await deliveriesOf(gm.id);
    expect(legs.map((d) => [d.to, d.status, d.error])).toEqual([
      [phone, 'failed', `(201) 555-0201 opted out of texts from this number on ${day} (replied STOP).`],
      ['+12015550202', 'queued', ''],
    ]);
    const retry = await failure(bob.pb.send(`/api/deliveries/${legs[0].id}/retry`, { method: 'POST' }));
    expect(retry.message).toContain('opted out');

    await phoneText(phone, 'START');
    expect(await app.superuser.collection('opt_outs').getFullList({ filter: `phone = "${phone}"` })).toHaveLength(0);
    expect((await bob.pb.send<RecordModel>(`/api/deliveries/${legs[0].id}/retry`, { method: 'POST' })).status).toBe('queued');
    await post(alice, thread.id, 'Welcome back');

    await phoneText(phone, 'help');
    const help = await app.superuser.collection('deliveries').getFullList({ filter: `to = "${phone}" && body ~ "belongs to"` });
    expect(help.map((d) => d.body)).toEqual(['This number belongs to Acme Plumbing. Reply STOP to unsubscribe.']);
    expect(await lines(thread.id)).toEqual([
      '(201) 555-0201 opted out (replied STOP); no more texts go to them from this number',
      '(201) 555-0201 opted back in',
      'Sent the help reply',
    ]);
  });
});
