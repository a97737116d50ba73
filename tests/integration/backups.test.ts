// Backups (deploy/pocketbase/backups.go, restore_cmd.go): administrators
// create, download, upload and restore them through /api/appliance/backups;
// a backup restored from the command line into a fresh data dir has the
// conversations, deliveries and settings; an archive that could not be
// restored whole is refused before anything is touched; every step is in the
// audit log.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import PocketBase, { ClientResponseError, type RecordModel } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUPERUSER, createService, createUser, freePort, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';

const repo = resolve(import.meta.dirname, '..', '..');
const bin = join(repo, 'build', 'pocketbase');
const scratch = mkdtempSync(join(tmpdir(), 'appliance-backups-'));

let app: Appliance;
let admin: SignedIn, member: SignedIn, bridge: SignedIn;
let thread: string;

beforeAll(async () => {
  app = await startAppliance();
  const su = app.superuser;
  const main = await su.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct' });
  admin = await createUser(app, { name: 'Ada', extension: '100', role: 'admin' });
  member = await createUser(app, { name: 'Bob', extension: '200' });
  await su.collection('users').update(member.record.id, { sms_numbers: [main.id], default_number: main.id });
  bridge = await createService(app, 'bridge');
  const inbound = await bridge.pb.send<{ conversation: string }>('/api/sms/inbound', {
    method: 'POST',
    body: { from: '+12015550161', to: '+12015550100', body: 'Is the shop open?', dedupe_key: 'backup-1' },
  });
  thread = inbound.conversation;
  await member.pb.collection('messages').create({ conversation: thread, body: 'Open until six' });
  const settings = await su.collection('settings').getFirstListItem('');
  await su.collection('settings').update(settings.id, { default_country: 'GB' });
});
afterAll(async () => {
  await app?.stop();
  rmSync(scratch, { recursive: true, force: true });
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

interface Listing {
  backups: { key: string; size: number; modified: string }[];
  schedule: { cron: string; keep: number };
  busy: boolean;
}
const list = (pb: PocketBase) => pb.send<Listing>('/api/appliance/backups', {});
const auditActions = async () => (await app.superuser.collection('audit_log').getFullList({ filter: 'target_collection = "backups"', sort: 'created' })).map((r) => [r.action, r.actor_name]);

async function download(key: string): Promise<Buffer> {
  const res = await fetch(`${app.url}/api/appliance/backups/${key}`, { headers: { Authorization: admin.pb.authStore.token } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-disposition')).toContain(key);
  return Buffer.from(await res.arrayBuffer());
}

/** zip makes a zip archive of the given files with Python's zipfile. */
function zip(out: string, files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(scratch, 'zip-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  const r = spawnSync('python3', ['-m', 'zipfile', '-c', out, ...Object.keys(files)], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return out;
}

describe('who may manage backups', () => {
  it('answers administrators only', async () => {
    expect((await failure(list(member.pb))).status).toBe(403);
    expect((await failure(list(app.client()))).status).toBe(401);
    expect((await failure(member.pb.send('/api/appliance/backups', { method: 'POST' }))).status).toBe(403);
  });
});

describe('schedule', () => {
  it('is daily, keeping 7, by default, and an administrator changes both', async () => {
    expect((await list(admin.pb)).schedule).toEqual({ cron: '0 3 * * *', keep: 7 });
    await admin.pb.send('/api/appliance/backups/schedule', { method: 'PUT', body: { cron: '30 2 * * *', keep: 14 } });
    expect((await list(admin.pb)).schedule).toEqual({ cron: '30 2 * * *', keep: 14 });
    const bad = await failure(admin.pb.send('/api/appliance/backups/schedule', { method: 'PUT', body: { cron: 'every day', keep: 14 } }));
    expect(bad.status).toBe(400);
    expect((await list(admin.pb)).schedule.cron).toBe('30 2 * * *');
  });
});

describe('create, download, restore from the command line into a fresh data dir', () => {
  let key: string;
  let file: string;

  it('creates a backup an administrator can download', async () => {
    ({ key } = await admin.pb.send<{ key: string }>('/api/appliance/backups', { method: 'POST' }));
    expect(key).toMatch(/^backup_\d{8}_\d{6}\.zip$/);
    expect((await list(admin.pb)).backups.map((b) => b.key)).toContain(key);
    file = join(scratch, 'downloaded.zip');
    writeFileSync(file, await download(key));
  });

  it('restores it into a fresh data dir with conversations, deliveries and settings', async () => {
    const fresh = mkdtempSync(join(scratch, 'fresh-'));
    const dirs = ['--dir', fresh, '--migrationsDir', join(repo, 'pb_migrations'), '--hooksDir', join(repo, 'build', 'pb_hooks')];
    const r = spawnSync(bin, ['restore', file, ...dirs], { encoding: 'utf8' });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain(`Restored downloaded.zip into ${fresh}`);

    const port = await freePort();
    const proc = spawn(bin, ['serve', '--http', `127.0.0.1:${port}`, ...dirs], { stdio: 'ignore' });
    const exited = new Promise((ok) => proc.once('exit', ok));
    try {
      const url = `http://127.0.0.1:${port}`;
      for (let i = 0; i < 200 && !(await fetch(`${url}/api/health`).then((x) => x.ok, () => false)); i++) await new Promise((ok) => setTimeout(ok, 50));
      const su = new PocketBase(url);
      su.autoCancellation(false);
      await su.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password);
      const conv = await su.collection('conversations').getOne(thread);
      expect(conv.kind).toBe('sms');
      const bodies = (await su.collection('messages').getFullList({ filter: `conversation = "${thread}"`, sort: 'created' })).map((m) => m.body);
      expect(bodies).toEqual(expect.arrayContaining(['Is the shop open?', 'Open until six']));
      const deliveries = await su.collection('deliveries').getFullList<RecordModel>();
      expect(deliveries.map((d) => [d.to, d.body])).toEqual([['+12015550161', 'Open until six']]);
      expect((await su.collection('settings').getFirstListItem('')).default_country).toBe('GB');
      const audit = await su.collection('audit_log').getFullList({ filter: 'action = "backup_restore"' });
      expect(audit.map((a) => [a.actor_name, a.target_label])).toEqual([['command line', 'downloaded.zip']]);
      // a data dir that was empty is not saved first
      expect(readdirSync(join(fresh, 'backups'))).toEqual(['downloaded.zip']);
    } finally {
      proc.kill('SIGTERM');
      await exited;
    }
  });

  it('uploads a backup, and refuses a file that could not be restored whole', async () => {
    const upload = (path: string, name: string) => {
      const form = new FormData();
      form.append('file', new Blob([readFileSync(path)]), name);
      return admin.pb.send<{ key: string }>('/api/appliance/backups/upload', { method: 'POST', body: form });
    };
    expect((await upload(file, 'from the old box.zip')).key).toBe('from_the_old_box.zip');
    expect((await list(admin.pb)).backups.map((b) => b.key)).toContain('from_the_old_box.zip');

    const noDb = await failure(upload(zip(join(scratch, 'no-db.zip'), { 'notes.txt': 'hello' }), 'no-db.zip'));
    expect(noDb.status).toBe(400);
    expect(noDb.message).toContain('no data.db');
    const junk = await failure(upload(zip(join(scratch, 'junk.zip'), { 'data.db': 'not a database at all' }), 'junk.zip'));
    expect(junk.message).toContain('data.db');
    const notZip = await failure(upload(join(repo, 'package.json'), 'package.zip'));
    expect(notZip.message).toContain('not a zip archive');
  });

  it('logs each step in the audit log', async () => {
    expect(await auditActions()).toEqual([
      ['backup_schedule', 'Ada'],
      ['backup_create', 'Ada'],
      ['backup_upload', 'Ada'],
    ]);
  });
});

describe('restore while running', () => {
  it('refuses a damaged backup and touches nothing', async () => {
    const broken = join(app.dataDir, 'backups', 'broken.zip');
    zip(broken, { 'data.db': Buffer.alloc(8192, 7) });
    const err = await failure(admin.pb.send('/api/appliance/backups/broken.zip/restore', { method: 'POST' }));
    expect(err.status).toBe(400);
    expect(err.message).toContain('cannot be restored');
    expect((await app.superuser.collection('conversations').getOne(thread)).id).toBe(thread);
    expect((await list(admin.pb)).backups.map((b) => b.key).filter((k) => k.startsWith('pre_restore_'))).toEqual([]);
  });

  it('saves the current data, restarts on the backup, and logs the restore in the restored database', async () => {
    const { key } = await admin.pb.send<{ key: string }>('/api/appliance/backups', { method: 'POST' });
    const later = await member.pb.collection('messages').create({ conversation: thread, body: 'Written after the backup' });

    const started = await admin.pb.send<{ key: string; saved_as: string }>(`/api/appliance/backups/${key}/restore`, { method: 'POST' });
    expect(started.saved_as).toMatch(/^pre_restore_\d{8}_\d{6}\.zip$/);

    // the process restarts in place; wait until the message written after the backup is gone
    let gone = false;
    for (let i = 0; i < 300 && !gone; i++) {
      await new Promise((ok) => setTimeout(ok, 100));
      gone = await app.superuser.collection('messages').getOne(later.id).then(() => false, (e: ClientResponseError) => e.status === 404);
    }
    expect(gone).toBe(true);
    expect((await app.superuser.collection('conversations').getOne(thread)).id).toBe(thread);
    const keys = (await list(admin.pb)).backups.map((b) => b.key);
    expect(keys).toContain(started.saved_as);
    const audit = await app.superuser.collection('audit_log').getFullList({ filter: 'action = "backup_restore"' });
    expect(audit.map((a) => [a.actor_name, a.target_label, a.details.saved_as])).toEqual([['Ada', key, started.saved_as]]);
  });
});
