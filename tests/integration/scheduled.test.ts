// Scheduled sends against the real PocketBase (docs/scheduled.md): a text
// scheduled by a person (records API) or an integration (send API, send_at)
// is shown to the conversation's members only, queues nothing before its
// time, goes once when the sweep finds it due (also across a restart, by the
// minute cron alone), can be cancelled by whom it should until it went, and
// fails with a visible reason when an opt-out came in between.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordModel } from 'pocketbase';
import { createUser, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';
import { events } from '../helpers/events';

let app: Appliance;
let alice: SignedIn, bob: SignedIn, carol: SignedIn, dave: SignedIn;
let main: RecordModel;
let thread: RecordModel;
let seq = 0;

beforeAll(async () => {
  app = await startAppliance();
  const su = app.superuser;
  main = await su.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct' });
  // Alice (admin), Bob and Carol text from Main; Dave does not
  alice = await createUser(app, { name: 'Alice', extension: '100', role: 'admin' });
  bob = await createUser(app, { name: 'Bob', extension: '200' });
  carol = await createUser(app, { name: 'Carol', extension: '300' });
  dave = await createUser(app, { name: 'Dave', extension: '400' });
  for (const u of [alice, bob, carol]) await su.collection('users').update(u.record.id, { sms_numbers: [main.id], default_number: main.id });
  thread = await bob.pb.send('/api/conversations/sms', { method: 'POST', body: { to: '+12015550123' } });
});
afterAll(() => app?.stop());

const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
const schedule = (who: SignedIn, body: Record<string, unknown>) =>
  who.pb.collection('scheduled_messages').create({ conversation: thread.id, body: `later ${++seq}`, send_at: inSeconds(3600), ...body });
const refusal = (p: Promise<unknown>) => p.then(() => ({ status: 200, message: '' }), (e) => ({ status: e.status as number, message: (e.response?.message ?? '') as string }));
const sweep = () => alice.pb.send<{ sent: number; failed: number }>('/api/scheduled/sweep', { method: 'POST' });
const deliveriesOf = (messageId: string) => app.superuser.collection('deliveries').getFullList({ filter: `message = "${messageId}"` });
const messageOr404 = (id: string) => app.superuser.collection('messages').getOne(id).catch((e) => e.status as number);

/** untilState runs the admin's sweep until the row leaves `scheduled` (bounded), and returns it. */
async function untilState(id: string, deadlineMs = 20_000): Promise<RecordModel> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    await sweep();
    const row = await app.superuser.collection('scheduled_messages').getOne(id);
    if (row.state !== 'scheduled') return row;
    if (Date.now() > end) throw new Error(`still scheduled after ${deadlineMs} ms: ${JSON.stringify(row)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("a person's scheduled send", () => {
  it('is shown to the members as scheduled, queues nothing before its time, then goes once as a normal text', async () => {
    const carolsInbox = await events(carol.pb, 'inbox');
    const row = await schedule(bob, { body: 'Your table is ready at 7', send_at: inSeconds(4), client_key: 'k-table' });
    expect(row).toMatchObject({ state: 'scheduled', author: bob.record.id, body: 'Your table is ready at 7' });
    expect(row.message).toMatch(/^[a-z0-9]{15}$/);
    // a retry of the same key answers with the same row
    expect((await schedule(bob, { body: 'Your table is ready at 7', send_at: inSeconds(4), client_key: 'k-table' })).id).toBe(row.id);
    // every member sees it, live and by list; outsiders do not
    await carolsInbox.next((e) => e.type === 'scheduled' && e.scheduled.id === row.id);
    expect((await carol.pb.collection('scheduled_messages').getFullList({ filter: `conversation = "${thread.id}"` })).map((r) => r.id)).toContain(row.id);
    expect((await alice.pb.collection('scheduled_messages').getOne(row.id)).state).toBe('scheduled');
    expect(await dave.pb.collection('scheduled_messages').getOne(row.id).catch((e) => e.status)).toBe(404);
    expect(await dave.pb.collection('scheduled_messages').getFullList()).toEqual([]);
    // nothing stored or queued yet, and a sweep before its time sends nothing
    expect((await sweep()).sent).toBe(0);
    expect(await messageOr404(row.message)).toBe(404);
    expect(await app.superuser.collection('deliveries').getFullList({ filter: `to = "+12015550123"` })).toEqual([]);

    const went = await untilState(row.id);
    expect(went.state).toBe('sent');
    const message = await app.superuser.collection('messages').getOne(row.message);
    expect(message).toMatchObject({ author: bob.record.id, body: 'Your table is ready at 7', conversation: thread.id, kind: 'text' });
    // it takes its place at the time it went
    expect(Date.parse(message.created.replace(' ', 'T'))).toBeGreaterThanOrEqual(Date.parse(row.send_at.replace(' ', 'T')));
    const legs = await deliveriesOf(row.message);
    expect(legs).toHaveLength(1);
    expect(legs[0]).toMatchObject({ status: 'queued', to: '+12015550123', from: '+12015550100' });
    // the thread moved up with it; Carol heard the text and that the schedule went
    expect((await carol.pb.collection('conversations').getOne(thread.id)).last_preview).toBe('Your table is ready at 7');
    await carolsInbox.next((e) => e.type === 'message' && e.message.id === row.message);
    await carolsInbox.next((e) => e.type === 'scheduled' && e.scheduled.id === row.id && e.scheduled.state === 'sent');
    // once: later sweeps find nothing, the same key answers the same row
    expect((await sweep()).sent).toBe(0);
    expect(await deliveriesOf(row.message)).toHaveLength(1);
    expect((await schedule(bob, { body: 'Your table is ready at 7', client_key: 'k-table' })).id).toBe(row.id);
    await carolsInbox.off();
  });

  it('works in team chat too', async () => {
    const chat = await bob.pb.send('/api/conversations/direct', { method: 'POST', body: { user: carol.record.id } });
    const row = await bob.pb.collection('scheduled_messages').create({ conversation: chat.id, body: 'Stand-up in 5', send_at: inSeconds(2) });
    expect(await carol.pb.collection('scheduled_messages').getOne(row.id)).toMatchObject({ state: 'scheduled' });
    expect((await untilState(row.id)).state).toBe('sent');
    expect(await carol.pb.collection('messages').getOne(row.message)).toMatchObject({ body: 'Stand-up in 5', author: bob.record.id });
    expect(await deliveriesOf(row.message)).toEqual([]);
  });

  it('refuses with a sentence: no time, the past, over a year ahead, too long, an opted-out phone, a queue conversation, an outsider', async () => {
    const cases: [SignedIn, Record<string, unknown>, number, RegExp][] = [
      // the records API reads a date field itself (a time without a zone is UTC there, as in every PocketBase date field)
      [bob, { send_at: 'next tuesday' }, 400, /^Say when to send it \(send_at\)/],
      [bob, { send_at: inSeconds(-120) }, 400, /is in the past; give a time from now on/],
      [bob, { send_at: inSeconds(367 * 86400) }, 400, /more than a year ahead; texts can be scheduled up to 366 days in advance\.$/],
      [bob, { body: 'x'.repeat(4001) }, 400, /^Messages are limited to 4000 characters/],
      [bob, { body: '😀'.repeat(700) }, 400, /^This text would be sent as \d+ SMS \(UCS-2\); the limit is 10/],
      [dave, {}, 400, /./],
    ];
    for (const [who, body, status, message] of cases) {
      const r = await refusal(schedule(who, body));
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.message, JSON.stringify(body)).toMatch(message);
    }
    // a text to a phone that opted out is refused when scheduling
    const su = app.superuser;
    const other = await bob.pb.send('/api/conversations/sms', { method: 'POST', body: { to: '+12015550150' } });
    await su.collection('opt_outs').create({ phone: '+12015550150', our_number: main.id, keyword: 'STOP' });
    const r = await refusal(bob.pb.collection('scheduled_messages').create({ conversation: other.id, body: 'hi', send_at: inSeconds(60) }));
    expect(r.status).toBe(400);
    expect(r.message).toMatch(/opted out of texts from this number/);
  });
});

describe('cancelling', () => {
  it('lets the author and an admin cancel, not another member or an outsider; a cancelled text never goes', async () => {
    const mine = await schedule(bob, { send_at: inSeconds(2) });
    const forAdmin = await schedule(bob, {});
    const carols = await refusal(carol.pb.send(`/api/scheduled/${mine.id}/cancel`, { method: 'POST' }));
    expect(carols).toEqual({ status: 403, message: 'Only Bob, who scheduled this text, or an administrator can cancel it.' });
    expect((await refusal(dave.pb.send(`/api/scheduled/${mine.id}/cancel`, { method: 'POST' }))).status).toBe(404);
    const cancelled = await bob.pb.send(`/api/scheduled/${mine.id}/cancel`, { method: 'POST' });
    expect(cancelled).toMatchObject({ state: 'cancelled', cancelled_by: bob.record.id });
    expect(await alice.pb.send(`/api/scheduled/${forAdmin.id}/cancel`, { method: 'POST' })).toMatchObject({ state: 'cancelled', cancelled_by: alice.record.id });
    expect(await refusal(bob.pb.send(`/api/scheduled/${mine.id}/cancel`, { method: 'POST' }))).toEqual({ status: 409, message: 'This scheduled text was already cancelled.' });
    // past its time, the sweep leaves it alone
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(mine.send_at.replace(' ', 'T')) - Date.now() + 100)));
    expect((await sweep()).sent).toBe(0);
    expect(await messageOr404(mine.message)).toBe(404);
  });

  it('refuses to cancel a text that went', async () => {
    const row = await schedule(bob, { send_at: inSeconds(1) });
    expect((await untilState(row.id)).state).toBe('sent');
    expect(await refusal(bob.pb.send(`/api/scheduled/${row.id}/cancel`, { method: 'POST' }))).toEqual({
      status: 409,
      message: 'This text was already sent; a text that went cannot be cancelled.',
    });
  });
});

describe('checked again when it goes', () => {
  it('fails with the reason when the phone opted out in between; nothing is sent and the thread says why', async () => {
    const other = await bob.pb.send('/api/conversations/sms', { method: 'POST', body: { to: '+12015550160' } });
    const row = await bob.pb.collection('scheduled_messages').create({ conversation: other.id, body: 'Reminder: dentist tomorrow', send_at: inSeconds(2) });
    await app.superuser.collection('opt_outs').create({ phone: '+12015550160', our_number: main.id, keyword: 'STOP' });
    const failed = await untilState(row.id);
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/^\(201\) 555-0160 opted out of texts from this number/);
    expect(await messageOr404(row.message)).toBe(404);
    expect(await app.superuser.collection('deliveries').getFullList({ filter: `to = "+12015550160"` })).toEqual([]);
    const lines = await carol.pb.collection('messages').getFullList({ filter: `conversation = "${other.id}" && kind = "system"` });
    expect(lines.map((m) => m.body)).toContain(`A text Bob scheduled was not sent: ${failed.error.replace(/\.$/, '')}.`);
  });

  it('fails when SMS was switched off on the number in between', async () => {
    const su = app.superuser;
    const spare = await su.collection('numbers').create({ e164: '+12015550300', label: 'Spare', sms_enabled: true, mode: 'direct' });
    await su.collection('users').update(bob.record.id, { sms_numbers: [main.id, spare.id] });
    const t = await bob.pb.send('/api/conversations/sms', { method: 'POST', body: { to: '+12015550170', number: spare.id } });
    const row = await bob.pb.collection('scheduled_messages').create({ conversation: t.id, body: 'hello', send_at: inSeconds(1) });
    await su.collection('numbers').update(spare.id, { sms_enabled: false });
    const failed = await untilState(row.id);
    expect(failed).toMatchObject({ state: 'failed', error: 'SMS is switched off for +12015550300.' });
  });
});

describe('the send API with send_at', () => {
  let key = '';
  let booking = '';
  beforeAll(async () => {
    const made = await alice.pb.send('/api/integrations', { method: 'POST', body: { name: 'Booking', numbers: [main.id], default_number: main.id, scope_send: true, scope_status: true } });
    key = made.key;
    booking = made.integration.id;
  });
  const api = async (path: string, body?: unknown) => {
    const res = await fetch(app.url + path, {
      method: body ? 'POST' : 'GET',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, json: (await res.json()) as any };
  };

  it('answers scheduled with its time and ids, reports it by delivery id, and sends it once when due', async () => {
    const at = inSeconds(3);
    const r = await api('/api/v1/sms', { to: '+12015550181', text: 'Your order is ready', client_key: 'order-81', send_at: at });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ status: 'scheduled', from: '+12015550100', to: '+12015550181', client_key: 'order-81', duplicate: false, segments: 1 });
    expect(Date.parse(r.json.send_at)).toBe(Date.parse(at));
    expect(r.json.delivery).toMatch(/^[a-z0-9]{15}$/);
    expect((await api(`/api/v1/deliveries/${r.json.delivery}`)).json).toMatchObject({ id: r.json.delivery, status: 'scheduled', message: r.json.message });
    const again = await api('/api/v1/sms', { to: '+12015550181', text: 'Your order is ready', client_key: 'order-81', send_at: at });
    expect(again).toMatchObject({ status: 200, json: { duplicate: true, status: 'scheduled', delivery: r.json.delivery } });
    // the members of the thread see it, marked as the integration's
    const seen = await carol.pb.collection('scheduled_messages').getOne(r.json.scheduled);
    expect(seen).toMatchObject({ integration_name: 'Booking', author: '', state: 'scheduled' });
    expect(await messageOr404(r.json.message)).toBe(404);

    expect((await untilState(r.json.scheduled)).state).toBe('sent');
    const status = await api(`/api/v1/deliveries/${r.json.delivery}`);
    expect(status.json).toMatchObject({ id: r.json.delivery, status: 'queued', message: r.json.message, client_key: 'order-81' });
    expect(await app.superuser.collection('messages').getOne(r.json.message)).toMatchObject({ integration_name: 'Booking', body: 'Your order is ready' });
    expect((await api('/api/v1/sms', { to: '+12015550181', text: 'Your order is ready', client_key: 'order-81', send_at: at })).json).toMatchObject({ duplicate: true, status: 'queued' });
    expect(await deliveriesOf(r.json.message)).toHaveLength(1);
  });

  it("lets any member cancel an integration's text, and then reports it cancelled", async () => {
    const r = await api('/api/v1/sms', { to: '+12015550184', text: 'Sale starts Monday', send_at: inSeconds(3600) });
    expect(r.json.status).toBe('scheduled');
    expect(await carol.pb.send(`/api/scheduled/${r.json.scheduled}/cancel`, { method: 'POST' })).toMatchObject({ state: 'cancelled', cancelled_by: carol.record.id });
    expect((await api(`/api/v1/deliveries/${r.json.delivery}`)).json).toMatchObject({ status: 'cancelled', message: r.json.message });
    expect((await api(`/api/v1/deliveries/${r.json.delivery}`)).status).toBe(200);
    // another key does not see it
    const other = await alice.pb.send('/api/integrations', { method: 'POST', body: { name: 'Other', numbers: [main.id], scope_status: true } });
    const res = await fetch(`${app.url}/api/v1/deliveries/${r.json.delivery}`, { headers: { Authorization: `Bearer ${other.key}` } });
    expect(res.status).toBe(404);
  });

  describe('cancelled by the key that scheduled it (POST /api/v1/deliveries/{id}/cancel)', () => {
    const cancel = async (id: string, withKey = key) => {
      const res = await fetch(`${app.url}/api/v1/deliveries/${id}/cancel`, { method: 'POST', headers: { Authorization: `Bearer ${withKey}` } });
      return { status: res.status, json: (await res.json()) as any };
    };
    const cron = () => app.superuser.send('/api/crons/scheduled-sends', { method: 'POST' });

    it('never goes: the members see it leave, the row says which key cancelled it, GET reports cancelled, a repeat answers the same', async () => {
      const carolsInbox = await events(carol.pb, 'inbox');
      const r = await api('/api/v1/sms', { to: '+12015550185', text: 'Your appointment is confirmed', send_at: inSeconds(2) });
      // a second text, due at the same time and not cancelled, shows when the cron has run
      const control = await api('/api/v1/sms', { to: '+12015550186', text: 'Your parcel is on its way', send_at: inSeconds(2) });
      expect([r.json.status, control.json.status]).toEqual(['scheduled', 'scheduled']);

      const done = await cancel(r.json.delivery);
      expect(done).toMatchObject({ status: 200, json: { id: r.json.delivery, message: r.json.message, status: 'cancelled' } });
      await carolsInbox.next((e) => e.type === 'scheduled' && e.scheduled.id === r.json.scheduled && e.scheduled.state === 'cancelled');
      const row = await app.superuser.collection('scheduled_messages').getOne(r.json.scheduled);
      expect(row).toMatchObject({ state: 'cancelled', cancelled_by: '', cancelled_by_integration: booking });
      expect(row.done_at).not.toBe('');
      // idempotent: a retry answers the same, and changes nothing
      expect(await cancel(r.json.delivery)).toMatchObject({ status: 200, json: { status: 'cancelled', done_at: row.done_at } });

      // past its time, the minute cron (run now by the superuser) sends the control, not the cancelled text
      await new Promise((ok) => setTimeout(ok, Math.max(0, Date.parse(r.json.send_at) - Date.now() + 100)));
      await cron();
      const end = Date.now() + 20_000;
      while ((await app.superuser.collection('scheduled_messages').getOne(control.json.scheduled)).state === 'scheduled') {
        if (Date.now() > end) throw new Error('the cron did not send the control text');
        await new Promise((ok) => setTimeout(ok, 200));
      }
      expect((await api(`/api/v1/deliveries/${control.json.delivery}`)).json.status).toBe('queued');
      expect((await app.superuser.collection('scheduled_messages').getOne(r.json.scheduled)).state).toBe('cancelled');
      expect(await messageOr404(r.json.message)).toBe(404);
      expect(await app.superuser.collection('deliveries').getFullList({ filter: `to = "+12015550185"` })).toEqual([]);
      expect((await api(`/api/v1/deliveries/${r.json.delivery}`)).json).toMatchObject({ status: 'cancelled' });
      // a text that went cannot be cancelled
      expect(await cancel(control.json.delivery)).toEqual({
        status: 409,
        json: expect.objectContaining({ message: 'This text was already sent; a text that went cannot be cancelled.' }),
      });
      await carolsInbox.off();
    });

    it('answers the same when a member cancelled it first', async () => {
      const r = await api('/api/v1/sms', { to: '+12015550187', text: 'See you Friday', send_at: inSeconds(3600) });
      await carol.pb.send(`/api/scheduled/${r.json.scheduled}/cancel`, { method: 'POST' });
      expect(await cancel(r.json.delivery)).toMatchObject({ status: 200, json: { status: 'cancelled' } });
      expect(await app.superuser.collection('scheduled_messages').getOne(r.json.scheduled)).toMatchObject({ cancelled_by: carol.record.id, cancelled_by_integration: '' });
    });

    it("counts against the key's rate limit like the other routes (429 with Retry-After)", async () => {
      const limited = await alice.pb.send('/api/integrations', { method: 'POST', body: { name: 'Limited', numbers: [main.id], default_number: main.id, scope_send: true, rate_per_minute: 2 } });
      const sent = await fetch(`${app.url}/api/v1/sms`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${limited.key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ to: '+12015550190', text: 'Limited', send_at: inSeconds(3600) }),
      }).then((res) => res.json() as Promise<any>);
      expect(sent.status).toBe('scheduled');
      // six requests straddle at most one minute boundary, so one minute sees three
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await cancel(sent.delivery, limited.key));
      expect(answers.map((a) => a.status)).toContain(200);
      const refused = answers.find((a) => a.status === 429);
      expect(refused?.json.message).toMatch(/^This API key may make 2 requests a minute; try again in \d+ s\.$/);
    });

    it("refuses: 409 for a text sent at once; 404 for another key's, a person's or an unknown id; 401 for a revoked key", async () => {
      const now = await api('/api/v1/sms', { to: '+12015550188', text: 'Now, not later' });
      expect(await cancel(now.json.delivery)).toEqual({ status: 409, json: expect.objectContaining({ message: 'This text was sent at once, not scheduled; a text that went cannot be cancelled.' }) });

      const r = await api('/api/v1/sms', { to: '+12015550189', text: 'Mine to cancel', send_at: inSeconds(3600) });
      const other = await alice.pb.send('/api/integrations', { method: 'POST', body: { name: 'Other sender', numbers: [main.id], default_number: main.id, scope_send: true } });
      const missing = { status: 404, json: expect.objectContaining({ message: 'No delivery with that id was sent with this API key.' }) };
      // another key: not its text, whether by delivery id or by the scheduled row's id
      expect(await cancel(r.json.delivery, other.key)).toEqual(missing);
      expect(await cancel(r.json.scheduled, other.key)).toEqual(missing);
      // a person's scheduled text (its row id; it has no delivery id) and an unknown id
      const persons = await schedule(bob, {});
      expect(await cancel(persons.id)).toEqual(missing);
      expect(await cancel(persons.message)).toEqual(missing);
      expect(await cancel('nosuchid1234567')).toEqual(missing);
      expect((await app.superuser.collection('scheduled_messages').getOne(persons.id)).state).toBe('scheduled');
      expect((await app.superuser.collection('scheduled_messages').getOne(r.json.scheduled)).state).toBe('scheduled');
      // the other key's own text it may cancel; ours stays
      const theirs = await fetch(`${app.url}/api/v1/sms`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${other.key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ to: '+12015550189', text: 'Theirs', send_at: inSeconds(3600) }),
      }).then((res) => res.json() as Promise<any>);
      expect(await cancel(theirs.delivery)).toEqual(missing);
      expect((await cancel(theirs.delivery, other.key)).status).toBe(200);
      // a revoked key: 401 like the other routes, and the text stays scheduled
      await alice.pb.send(`/api/integrations/${other.integration.id}/revoke`, { method: 'POST' });
      const revoked = await cancel(r.json.delivery, other.key);
      expect(revoked.status).toBe(401);
      expect(revoked.json.message).toMatch(/^This API key \(Other sender\) was revoked on/);
      // no key at all
      const bare = await fetch(`${app.url}/api/v1/deliveries/${r.json.delivery}/cancel`, { method: 'POST' });
      expect(bare.status).toBe(401);
      expect((await app.superuser.collection('scheduled_messages').getOne(r.json.scheduled)).state).toBe('scheduled');
    });
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await api('/api/v1/openapi.json')).json;
    const props = doc.paths['/api/v1/sms'].post.requestBody.content['application/json'].schema.properties;
    expect(props.send_at).toMatchObject({ type: 'string', format: 'date-time' });
    expect(doc.components.schemas.Delivery.properties.status.enum).toContain('scheduled');
    const cancel = doc.paths['/api/v1/deliveries/{id}/cancel'].post;
    expect(Object.keys(cancel.responses).sort()).toEqual(['200', '401', '403', '404', '409', '429']);
    expect(cancel.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Delivery' });
  });

  it('refuses send_at with a sentence: unparseable, no zone, past, over a year', async () => {
    const cases: [unknown, RegExp][] = [
      ['soon', /^The send time \(send_at\) is not an ISO 8601 date and time/],
      ['2030-01-01T10:00:00', /^The send time \(send_at\) has no time zone/],
      [inSeconds(-3600), /is in the past/],
      [inSeconds(400 * 86400), /more than a year ahead/],
      [12345, /^The send time \(send_at\) must be a string/],
    ];
    for (const [sendAt, message] of cases) {
      const r = await api('/api/v1/sms', { to: '+12015550182', text: 'x', send_at: sendAt });
      expect(r.status, String(sendAt)).toBe(400);
      expect(r.json.message, String(sendAt)).toMatch(message);
      expect(r.json.data.send_at, String(sendAt)).toBeDefined();
    }
  });

  it('goes once after a restart in between, by the minute cron alone', { timeout: 120_000 }, async () => {
    const r = await api('/api/v1/sms', { to: '+12015550183', text: 'Alarm: door open', client_key: 'alarm-1', send_at: inSeconds(2) });
    expect(r.json.status).toBe('scheduled');
    await app.restart();
    // no sweep by hand: the cron ticks at the start of each minute
    const end = Date.now() + 90_000;
    let state = 'scheduled';
    while (Date.now() < end && state === 'scheduled') {
      // read as the superuser: the key's rate limit is no part of this
      state = (await app.superuser.collection('scheduled_messages').getOne(r.json.scheduled)).state;
      if (state === 'scheduled') await new Promise((ok) => setTimeout(ok, 500));
    }
    expect(state).toBe('sent');
    expect((await api(`/api/v1/deliveries/${r.json.delivery}`)).json.status).toBe('queued');
    expect(await deliveriesOf(r.json.message)).toHaveLength(1);
    expect(await app.superuser.collection('messages').getFullList({ filter: `client_key = "alarm-1"` })).toHaveLength(1);
    // bob's client survived the restart with its token; the thread shows it once
    expect((await sweep()).sent).toBe(0);
  });
});
