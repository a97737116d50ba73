// Accounts against the real PocketBase: first-run administrator, sign-in by
// email or extension, disabled accounts, the last administrator, the limiter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { createUser, startAppliance, type Appliance } from '../helpers/appliance';

async function statusOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    if (err instanceof ClientResponseError) return err.status;
    throw err;
  }
}

async function errorOf(p: Promise<unknown>): Promise<ClientResponseError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ClientResponseError) return err;
    throw err;
  }
  throw new Error('expected the request to fail');
}

describe('first run', () => {
  let app: Appliance;
  beforeAll(async () => {
    app = await startAppliance();
  });
  afterAll(() => app.stop());

  let adminPb: PocketBase;
  beforeAll(() => {
    adminPb = app.client();
  });
  const admin = { name: 'Alice Admin', extension: '100', email: 'alice@test.local', password: 'alice-password-1', passwordConfirm: 'alice-password-1' };

  it('offers the first administrator while no user exists, then never again', async () => {
    const pb = app.client();
    expect(await pb.send('/api/setup', {})).toEqual({ needs_admin: true });

    const mismatch = await errorOf(pb.send('/api/setup/admin', { method: 'POST', body: { ...admin, passwordConfirm: 'other' } }));
    expect(mismatch.status).toBe(400);
    expect(mismatch.response.data.passwordConfirm.message).toMatch(/don't match/);

    const badExt = await errorOf(pb.send('/api/setup/admin', { method: 'POST', body: { ...admin, extension: '1a' } }));
    expect(badExt.status).toBe(400);
    expect(badExt.response.data.extension).toBeDefined();

    const res = await pb.send('/api/setup/admin', { method: 'POST', body: admin });
    expect(res.token).toBeTruthy();
    adminPb.authStore.save(res.token, res.record);
    expect(res.record).toMatchObject({ name: 'Alice Admin', extension: '100', role: 'admin', email: 'alice@test.local' });

    expect(await pb.send('/api/setup', {})).toEqual({ needs_admin: false });
    const again = await errorOf(pb.send('/api/setup/admin', { method: 'POST', body: { ...admin, extension: '101', email: 'x@test.local' } }));
    expect(again.status).toBe(409);
    expect(again.message).toBe('The first administrator already exists.');
    expect(await app.superuser.collection('users').getList(1, 10)).toMatchObject({ totalItems: 1 });
  });

  it('signs in by email or by extension and keeps the session through a refresh', async () => {
    const byExt = app.client();
    const auth = await byExt.collection('users').authWithPassword('100', admin.password);
    expect(auth.record.email).toBe('alice@test.local');
    const byEmail = app.client();
    await byEmail.collection('users').authWithPassword('alice@test.local', admin.password);
    const refreshed = await byEmail.collection('users').authRefresh();
    expect(refreshed.record.id).toBe(auth.record.id);
    expect(await statusOf(app.client().collection('users').authWithPassword('100', 'wrong-password'))).toBe(400);
  });

  it('lets only an administrator create users, and a member edits only their own profile', async () => {
    const admin = adminPb;
    const bob = await admin.collection('users').create({
      name: 'Bob', extension: '200', email: 'bob@test.local', password: 'bob-password-1', passwordConfirm: 'bob-password-1',
    });
    expect(bob.role).toBe('member');

    const dup = await errorOf(admin.collection('users').create({
      name: 'Bobby', extension: '200', email: 'bobby@test.local', password: 'bob-password-1', passwordConfirm: 'bob-password-1',
    }));
    expect(dup.status).toBe(400);
    expect(dup.response.data.extension).toBeDefined();

    const member = app.client();
    await member.collection('users').authWithPassword('200', 'bob-password-1');
    expect(await statusOf(member.collection('users').create({
      name: 'Eve', extension: '300', email: 'eve@test.local', password: 'eve-password-1', passwordConfirm: 'eve-password-1',
    }))).toBe(400);
    await member.collection('users').update(bob.id, { name: 'Robert', alert_muted: true });
    expect(await statusOf(member.collection('users').update(bob.id, { role: 'admin' }))).toBe(404);
    expect(await statusOf(member.collection('users').update(bob.id, { extension: '201' }))).toBe(404);
    expect(await statusOf(member.collection('users').update(admin.authStore.record!.id, { name: 'Hacked' }))).toBe(404);
    const stored = await app.superuser.collection('users').getOne(bob.id);
    expect(stored).toMatchObject({ name: 'Robert', alert_muted: true, role: 'member', extension: '200' });

    // an administrator resets a password without knowing the old one
    await admin.collection('users').update(bob.id, { password: 'bob-password-2', passwordConfirm: 'bob-password-2' });
    await app.client().collection('users').authWithPassword('200', 'bob-password-2');
  });

});

describe('account administration', () => {
  let app: Appliance;
  let admin: PocketBase;
  let adminId: string;
  beforeAll(async () => {
    app = await startAppliance();
    const alice = await createUser(app, { name: 'Alice', extension: '100', role: 'admin' });
    admin = alice.pb;
    adminId = alice.record.id;
  });
  afterAll(() => app.stop());

  it('refuses a disabled account with a clear message and ends its sessions', async () => {
    const carol = await createUser(app, { name: 'Carol', extension: '400', password: 'carol-password-1' });
    const session = app.client();
    await session.collection('users').authWithPassword('400', 'carol-password-1');

    await admin.collection('users').update(carol.record.id, { disabled: true });
    const refused = await errorOf(app.client().collection('users').authWithPassword('400', 'carol-password-1'));
    expect(refused.status).toBe(403);
    expect(refused.message).toBe('This account is disabled. Ask an administrator.');
    // a wrong password says nothing about the account
    expect(await statusOf(app.client().collection('users').authWithPassword('400', 'nope-nope-1'))).toBe(400);
    // the old token no longer works
    expect(await statusOf(session.collection('users').authRefresh())).toBe(401);

    await admin.collection('users').update(carol.record.id, { disabled: false });
    await app.client().collection('users').authWithPassword('400', 'carol-password-1');
  });

  it('keeps at least one active administrator', async () => {
    const record = { id: adminId };
    for (const change of [{ role: 'member' }, { disabled: true }]) {
      const err = await errorOf(admin.collection('users').update(record.id, change));
      expect(err.status).toBe(400);
      expect(err.message).toBe('At least one active administrator must remain.');
    }
    const second = await createUser(app, { name: 'Dan', extension: '500', role: 'admin' });
    await admin.collection('users').update(record.id, { role: 'member' });
    expect(await statusOf(second.pb.collection('users').update(second.record.id, { disabled: true }))).toBe(400);
  });
});

describe('sign-in rate limit', () => {
  let app: Appliance;
  beforeAll(async () => {
    app = await startAppliance();
  });
  afterAll(() => app.stop());

  it('answers 429 after ten attempts a minute from one address', async () => {
    await createUser(app, { name: 'Zed', extension: '900' });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      statuses.push(await statusOf(app.client().collection('users').authWithPassword('900', `wrong-${i}`)));
    }
    expect(statuses.slice(0, 10).every((s) => s === 400)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });
});
