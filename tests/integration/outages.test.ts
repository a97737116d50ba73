// What people see of a link that is down, and the admin's way out, against
// the real PocketBase (no bridge: the link state is written as the bridge
// writes it): GET /api/sms/outages names the down links and the numbers
// whose texts wait; POST /api/sms/links/{id}/cancel-waiting (admins only)
// fails the waiting texts "Cancelled by <admin>" and logs it; a text queued
// carries its link and queue time; a number moved to another link takes its
// waiting texts along.
import { ClientResponseError, type RecordModel } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, createUser, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';

async function statusOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    if (err instanceof ClientResponseError) return err.status;
    throw err;
  }
}

describe('outages', () => {
  let app: Appliance;
  let admin: SignedIn;
  let bob: SignedIn;
  let service: SignedIn;
  let down: RecordModel;
  let up: RecordModel;
  let number: RecordModel;
  let thread: RecordModel;

  beforeAll(async () => {
    app = await startAppliance();
    const su = app.superuser;
    const link = (name: string) =>
      su.collection('smsc_links').create({ name, host: '127.0.0.1', port: 2775, system_id: name.toLowerCase(), bind: 'trx', window: 10, enabled: true });
    [down, up] = [await link('Gateway'), await link('Carrier')];
    number = await su.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct', smsc_link: down.id });
    admin = await createUser(app, { name: 'Ada', extension: '100', role: 'admin' });
    bob = await createUser(app, { name: 'Bob', extension: '200' });
    await su.collection('users').update(bob.record.id, { sms_numbers: [number.id], default_number: number.id });
    service = await createService(app, 'bridge');
    await service.pb.collection('smsc_links').update(down.id, { state: 'down', last_error: 'refused', down_since: '2026-12-01 12:03:00.000Z', waiting: 2 });
    await service.pb.collection('smsc_links').update(up.id, { state: 'bound' });
    thread = await bob.pb.send<RecordModel>('/api/conversations/sms', { method: 'POST', body: { to: '+12015550123' } });
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
  });

  it('a queued text carries its number\'s link and its queue time', async () => {
    const m = await bob.pb.collection('messages').create({ conversation: thread.id, body: 'hello' });
    const [d] = await app.superuser.collection('deliveries').getFullList({ filter: `message = "${m.id}"` });
    expect(d).toMatchObject({ status: 'queued', link: down.id });
    expect(d.queued_at).not.toBe('');
  });

  it('members see which numbers\' texts wait for a down link, and since when; bound links are not listed', async () => {
    const res = await bob.pb.send<{ outages: Record<string, unknown>[] }>('/api/sms/outages', {});
    expect(res.outages).toEqual([{ link: down.id, name: 'Gateway', state: 'down', down_since: '2026-12-01 12:03:00.000Z', waiting: 2, numbers: ['+12015550100'], number_ids: [number.id] }]);
    expect(await statusOf(app.client().send('/api/sms/outages', {}))).toBe(401);
  });

  it('the bridge cannot set a link\'s validity; an admin can', async () => {
    expect(await statusOf(service.pb.collection('smsc_links').update(down.id, { validity_s: 60 }))).toBe(404);
    expect((await admin.pb.collection('smsc_links').update(down.id, { validity_s: 7200 })).validity_s).toBe(7200);
  });

  it('only an admin cancels a link\'s waiting texts: each ends failed "Cancelled by <admin>", and it is logged', async () => {
    await bob.pb.collection('messages').create({ conversation: thread.id, body: 'second' });
    expect(await statusOf(bob.pb.send(`/api/sms/links/${down.id}/cancel-waiting`, { method: 'POST' }))).toBe(403);
    expect(await statusOf(admin.pb.send('/api/sms/links/nosuchlink12345/cancel-waiting', { method: 'POST' }))).toBe(404);
    const res = await admin.pb.send<{ cancelled: number }>(`/api/sms/links/${down.id}/cancel-waiting`, { method: 'POST' });
    expect(res.cancelled).toBe(2);
    const rows = await app.superuser.collection('deliveries').getFullList({ filter: `link = "${down.id}"` });
    expect(rows.map((r) => [r.status, r.error, r.error_code])).toEqual([
      ['failed', 'Cancelled by Ada', 'cancelled'],
      ['failed', 'Cancelled by Ada', 'cancelled'],
    ]);
    const [entry] = await app.superuser.collection('audit_log').getFullList({ filter: 'action = "smsc_link_cancel_waiting"' });
    expect(entry).toMatchObject({ actor: admin.record.id, actor_name: 'Ada', target_id: down.id, target_label: 'Gateway', details: { cancelled: 2 } });
  });

  it('a number moved to another link takes its waiting texts along', async () => {
    const m = await bob.pb.collection('messages').create({ conversation: thread.id, body: 'third' });
    await app.superuser.collection('numbers').update(number.id, { smsc_link: up.id });
    const [d] = await app.superuser.collection('deliveries').getFullList({ filter: `message = "${m.id}"` });
    expect(d).toMatchObject({ status: 'queued', link: up.id });
  });
});
