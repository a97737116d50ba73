// The audit log against the real PocketBase: each administrative change
// writes one entry (who, what, target, address, no secrets) in the same
// transaction, nobody edits the log through the API, and the person whose
// password was reset sees a notice once, and nobody else does.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import PocketBase, { ClientResponseError, type RecordModel } from 'pocketbase';
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

let app: Appliance;
let alice: SignedIn;
let bob: SignedIn;
let carol: SignedIn;
// entries already read, so each test sees only what its own action wrote
let seen = new Set<string>();

async function newEntries(): Promise<RecordModel[]> {
  const all = await app.superuser.collection('audit_log').getFullList({ sort: 'created' });
  const fresh = all.filter((r) => !seen.has(r.id));
  for (const r of fresh) seen.add(r.id);
  return fresh;
}

const notices = (pb: PocketBase) => pb.send('/api/me/notices', {}) as Promise<{ notices: Array<Record<string, string>> }>;

beforeAll(async () => {
  app = await startAppliance();
  alice = await createUser(app, { name: 'Alice', extension: '100', role: 'admin' });
  bob = await createUser(app, { name: 'Bob', extension: '200', password: 'bob-password-1' });
  carol = await createUser(app, { name: 'Carol', extension: '300' });
});

afterAll(() => app?.stop());

beforeEach(async () => {
  await newEntries();
});

describe('entries for administrators’ changes', () => {
  it('logs a password reset with who, whom and from where, and never the password', async () => {
    await alice.pb.collection('users').update(bob.record.id, { password: 'reset-secret-9', passwordConfirm: 'reset-secret-9' });
    const [e, ...more] = await newEntries();
    expect(more).toEqual([]);
    expect(e).toMatchObject({
      actor: alice.record.id,
      actor_name: 'Alice',
      action: 'password_reset',
      target_collection: 'users',
      target_id: bob.record.id,
      target_label: 'Bob (200)',
      ip: '127.0.0.1',
    });
    expect(e.created).toBeTruthy();
    expect(JSON.stringify(e)).not.toContain('reset-secret-9');
    // give Bob his own password back (and a session) for the other tests
    await alice.pb.collection('users').update(bob.record.id, { password: 'bob-password-1', passwordConfirm: 'bob-password-1' });
    await bob.pb.collection('users').authWithPassword('200', 'bob-password-1');
  });

  it('does not log a member changing their own password', async () => {
    await carol.pb.collection('users').update(carol.record.id, { oldPassword: 'pw-300-secret', password: 'carol-own-pw-2', passwordConfirm: 'carol-own-pw-2' });
    expect(await newEntries()).toEqual([]);
    await carol.pb.collection('users').authWithPassword('300', 'carol-own-pw-2');
  });

  it('logs a role change, disabling and enabling, each as its own action', async () => {
    const dan = await createUser(app, { name: 'Dan', extension: '400' });
    await newEntries();
    await alice.pb.collection('users').update(dan.record.id, { role: 'admin', name: 'Daniel' });
    await alice.pb.collection('users').update(dan.record.id, { disabled: true });
    await alice.pb.collection('users').update(dan.record.id, { disabled: false });
    const got = (await newEntries()).map((e) => [e.action, e.details, e.target_id]);
    expect(got).toEqual([
      ['role_changed', { from: 'member', to: 'admin' }, dan.record.id],
      ['user_updated', { changes: { name: { from: 'Dan', to: 'Daniel' } } }, dan.record.id],
      ['user_disabled', {}, dan.record.id],
      ['user_enabled', {}, dan.record.id],
    ]);
  });

  it('logs a created account without its password', async () => {
    const created = await alice.pb.collection('users').create({
      name: 'Erin', extension: '500', email: 'erin@test.local', password: 'erin-secret-77', passwordConfirm: 'erin-secret-77',
    });
    const [e, ...more] = await newEntries();
    expect(more).toEqual([]);
    expect(e).toMatchObject({ action: 'user_created', actor: alice.record.id, target_id: created.id, target_label: 'Erin (500)' });
    expect(e.details.fields).toMatchObject({ name: 'Erin', extension: '500', email: 'erin@test.local', role: 'member', disabled: false });
    expect(JSON.stringify(e)).not.toContain('erin-secret-77');
    expect(JSON.stringify(e)).not.toMatch(/tokenKey|"password"/);
  });

  it('logs number permissions as the numbers added and removed', async () => {
    const n1 = await alice.pb.collection('numbers').create({ e164: '+15550000001', label: 'Main', sms_enabled: true, mode: 'direct' });
    const n2 = await alice.pb.collection('numbers').create({ e164: '+15550000002', label: 'Sales', sms_enabled: true, mode: 'direct' });
    await newEntries();
    await alice.pb.collection('users').update(bob.record.id, { sms_numbers: [n1.id, n2.id], default_number: n1.id });
    await alice.pb.collection('users').update(bob.record.id, { 'sms_numbers-': n2.id });
    const got = (await newEntries()).map((e) => [e.action, e.details]);
    expect(got).toEqual([
      ['sms_numbers_changed', { added: ['+15550000001', '+15550000002'], removed: [], default_number: { from: '', to: '+15550000001' } }],
      ['sms_numbers_changed', { added: [], removed: ['+15550000002'] }],
    ]);
  });

  it('logs a business number created, changed and deleted', async () => {
    const n = await alice.pb.collection('numbers').create({ e164: '+15550000003', label: 'Desk', sms_enabled: true, mode: 'direct' });
    await alice.pb.collection('numbers').update(n.id, { label: 'Front desk', sms_enabled: false });
    await alice.pb.collection('numbers').delete(n.id);
    const got = await newEntries();
    expect(got.map((e) => e.action)).toEqual(['number_created', 'number_updated', 'number_deleted']);
    expect(got.every((e) => e.target_id === n.id && e.actor === alice.record.id)).toBe(true);
    expect(got[0].details.fields).toMatchObject({ e164: '+15550000003', label: 'Desk', sms_enabled: true, mode: 'direct' });
    expect(got[1].details).toEqual({ changes: { label: { from: 'Desk', to: 'Front desk' }, sms_enabled: { from: true, to: false } } });
    expect(got[2].target_label).toBe('+15550000003 (Front desk)');
  });

  it('logs SMSC link changes without the SMPP password, and not the bridge’s state updates', async () => {
    const link = await alice.pb.collection('smsc_links').create({
      name: 'Carrier', host: '10.0.0.9', port: 2775, system_id: 'esme', password: 'smpp-pw1', bind: 'trx',
    });
    await alice.pb.collection('smsc_links').update(link.id, { password: 'smpp-pw2', port: 2776 });
    const bridge = await createService(app, 'bridge');
    await bridge.pb.collection('smsc_links').update(link.id, { state: 'bound', last_error: '' });
    await alice.pb.collection('smsc_links').delete(link.id);
    const got = await newEntries();
    expect(got.map((e) => e.action)).toEqual(['smsc_link_created', 'smsc_link_updated', 'smsc_link_deleted']);
    expect(got[0].details.fields).toMatchObject({ name: 'Carrier', host: '10.0.0.9', port: 2775, password: { set: true } });
    expect(got[1].details).toEqual({ changes: { password: { changed: true }, port: { from: 2775, to: 2776 } } });
    for (const e of got) expect(JSON.stringify(e)).not.toMatch(/smpp-pw/);
  });

  it('logs settings changes, and a provider configuration only as changed', async () => {
    const settings = await alice.pb.collection('settings').getFirstListItem('');
    await alice.pb.collection('settings').update(settings.id, { alert_tone: 'bell' });
    // the provider (it may hold a key) is hidden from the settings row and set through its own route
    await alice.pb.send('/api/caller-names/provider', { method: 'POST', body: { url: 'https://cnam.example/{number}', header_name: 'X-Key', header_value: 'cnam-key-123' } });
    const [e, p, ...more] = await newEntries();
    expect(more).toEqual([]);
    expect(e).toMatchObject({ action: 'settings_updated', target_collection: 'settings', target_label: 'Settings', actor_name: 'Alice' });
    expect(e.details).toEqual({ changes: { alert_tone: { from: 'chime', to: 'bell' } } });
    expect(p).toMatchObject({ action: 'settings_updated', target_label: 'Settings', actor_name: 'Alice' });
    expect(p.details).toEqual({ changes: { cnam_provider: { changed: true } } });
    expect(JSON.stringify([e, p])).not.toContain('cnam-key-123');
  });

  it('logs a superuser’s change with no account and the name "superuser"', async () => {
    await app.superuser.collection('users').update(carol.record.id, { role: 'admin' });
    await app.superuser.collection('users').update(carol.record.id, { role: 'member' });
    const got = await newEntries();
    expect(got.map((e) => [e.actor, e.actor_name, e.action])).toEqual([
      ['', 'superuser', 'role_changed'],
      ['', 'superuser', 'role_changed'],
    ]);
  });

  it('writes nothing for a change that fails, or one that changes nothing logged', async () => {
    expect(await statusOf(alice.pb.collection('users').update(bob.record.id, { extension: '100' }))).toBe(400);
    expect(await statusOf(alice.pb.collection('users').update(bob.record.id, { password: 'a-new-pass-1', passwordConfirm: 'mismatch-22' }))).toBe(400);
    // an empty password is refused and leaves the old one in place: no reset to report
    expect(await statusOf(alice.pb.collection('users').update(bob.record.id, { password: '', passwordConfirm: '' }))).toBe(400);
    await app.client().collection('users').authWithPassword('200', 'bob-password-1');
    await bob.pb.collection('users').update(bob.record.id, { name: 'Bob', alert_muted: true });
    await alice.pb.collection('users').update(bob.record.id, { name: 'Bob' });
    expect(await newEntries()).toEqual([]);
  });
});

describe('the log itself', () => {
  it('is readable by administrators only and writable by nobody through the API', async () => {
    await alice.pb.collection('users').update(carol.record.id, { name: 'Carol' + '!' });
    const [e] = await newEntries();
    await alice.pb.collection('users').update(carol.record.id, { name: 'Carol' });
    await newEntries();
    expect((await alice.pb.collection('audit_log').getOne(e.id)).action).toBe('user_updated');
    for (const pb of [bob.pb, app.client(), (await createService(app, 'svc')).pb]) {
      expect(await pb.collection('audit_log').getFullList()).toEqual([]);
      expect(await statusOf(pb.collection('audit_log').getOne(e.id))).toBe(404);
    }
    for (const pb of [alice.pb, bob.pb, app.client()]) {
      expect(await statusOf(pb.collection('audit_log').create({ action: 'password_reset', actor_name: 'x' }))).toBe(403);
      expect(await statusOf(pb.collection('audit_log').update(e.id, { action: 'nothing' }))).toBe(403);
      expect(await statusOf(pb.collection('audit_log').delete(e.id))).toBe(403);
    }
    expect((await app.superuser.collection('audit_log').getOne(e.id)).action).toBe('user_updated');
  });
});

describe('the reset notice', () => {
  it('is shown to the person whose password was reset, once, and to nobody else', async () => {
    const fay = await createUser(app, { name: 'Fay', extension: '600' });
    const gus = await createUser(app, { name: 'Gus', extension: '700' });
    await newEntries();
    expect(await notices(fay.pb)).toEqual({ notices: [] });
    await alice.pb.collection('users').update(fay.record.id, { password: 'fay-password-2', passwordConfirm: 'fay-password-2' });
    const [reset] = await newEntries();

    // the reset ended Fay's sessions; she signs in again
    expect(await statusOf(notices(fay.pb))).toBe(401);
    const fayAgain = app.client();
    await fayAgain.collection('users').authWithPassword('600', 'fay-password-2');
    const shown = await notices(fayAgain);
    expect(shown.notices).toEqual([
      { id: reset.id, action: 'password_reset', actor_name: 'Alice', ip: '127.0.0.1', created: reset.created },
    ]);
    expect(await notices(gus.pb)).toEqual({ notices: [] });
    expect(await notices(alice.pb)).toEqual({ notices: [] });
    expect(await statusOf(notices(app.client()))).toBe(401);

    // the hidden field is not Fay's to set, nor visible to anyone
    await fayAgain.collection('users').update(fay.record.id, { notices_seen_at: '2099-01-01 00:00:00.000Z' });
    expect((await notices(fayAgain)).notices).toHaveLength(1);
    expect(await gus.pb.collection('users').getOne(fay.record.id)).not.toHaveProperty('notices_seen_at');
    await newEntries();

    await fayAgain.send('/api/me/notices/ack', { method: 'POST' });
    expect(await notices(fayAgain)).toEqual({ notices: [] });
    const [ack, ...more] = await newEntries();
    expect(more).toEqual([]);
    expect(ack).toMatchObject({ action: 'notice_acknowledged', actor: fay.record.id, target_id: fay.record.id, ip: '127.0.0.1', details: { notices: [reset.id] } });

    // a later reset is a new notice
    await alice.pb.collection('users').update(fay.record.id, { password: 'fay-password-3', passwordConfirm: 'fay-password-3' });
    const fayThird = app.client();
    await fayThird.collection('users').authWithPassword('600', 'fay-password-3');
    expect((await notices(fayThird)).notices).toHaveLength(1);
  });
});
