// build/pocketbase as an IT admin meets it: run from the repository root with
// no flags it uses the same data, hooks, migrations and UI as `npm start`, so
// the README's superuser command works as written; it never turns on dev mode
// (even with everything under /tmp), never advertises PocketBase's own
// installer, and keeps its data files readable by their owner only.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import PocketBase from 'pocketbase';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/appliance';

const repo = resolve(import.meta.dirname, '..', '..');

// a copy of the repository's runtime layout under /tmp, so the README's
// command (which writes ./pb_data) never touches a developer's own data
const root = mkdtempSync(join(tmpdir(), 'appliance-binary-'));
mkdirSync(join(root, 'build'));
for (const p of ['build/pocketbase', 'build/pb_hooks', 'build/ui', 'pb_migrations']) symlinkSync(join(repo, p), join(root, p));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** readmeSuperuserCommand is the README's command for creating a superuser, exactly as printed. */
function readmeSuperuserCommand(): string {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const line = readme.split('\n').find((l) => l.startsWith('build/pocketbase superuser upsert '));
  if (!line) throw new Error('README.md has no line starting with `build/pocketbase superuser upsert`');
  return line.trim();
}

/** modes lists every path under dir whose permissions let anyone but the owner in. */
function openToOthers(dir: string): string[] {
  const found: string[] = [];
  const walk = (p: string) => {
    const st = statSync(p);
    if ((st.mode & 0o077) !== 0) found.push(`${p} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const name of readdirSync(p)) walk(join(p, name));
  };
  walk(dir);
  return found;
}

async function serve(args: string[] = []) {
  const port = await freePort();
  const proc = spawn(join('build', 'pocketbase'), ['serve', '--http', `127.0.0.1:${port}`, ...args], {
    cwd: root,
    env: { ...process.env, PB_DATA: '', LOG_FORMAT: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  const exited = new Promise<void>((ok) => proc.once('exit', () => ok()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 400 && proc.exitCode === null; i++) {
    if (await fetch(`${url}/api/health`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    output: () => out,
    async stop() {
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

describe('build/pocketbase from the repository root', () => {
  it("runs the README's superuser command as written, on ./pb_data", () => {
    const command = readmeSuperuserCommand();
    const r = spawnSync('sh', ['-c', command], { cwd: root, encoding: 'utf8', env: { ...process.env, PB_DATA: '' } });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('Successfully saved superuser');
    expect(statSync(join(root, 'pb_data', 'data.db')).isFile()).toBe(true);
  });

  it('serves the built hooks, migrations and UI with no flags, quietly, and the superuser signs in', async () => {
    const app = await serve();
    try {
      expect(await fetch(`${app.url}/api/health`).then((r) => r.status), app.output()).toBe(200);
      // a route from the compiled hooks, and the SPA from build/ui
      expect(await (await fetch(`${app.url}/api/setup`)).json()).toEqual({ needs_admin: true });
      expect(await (await fetch(`${app.url}/login`)).text()).toContain('<html');

      const [, email, password] = readmeSuperuserCommand().match(/upsert (\S+) '([^']+)'/)!;
      const pb = new PocketBase(app.url);
      await pb.collection('_superusers').authWithPassword(email, password);
      expect(pb.authStore.isValid).toBe(true);
      await pb.collection('users').getList(1, 1);

      const out = app.output();
      expect(out).not.toContain('pbinstall'); // PocketBase's installer link
      expect(out).not.toContain('create your first superuser');
      expect(out).not.toMatch(/\bSELECT\b|\bINSERT\b/); // dev mode prints every SQL statement
      // off a terminal, a JSON line instead of the banner
      const lines = out.trim().split('\n').map((l) => JSON.parse(l));
      expect(lines).toMatchObject([{ level: 'info', svc: 'pocketbase', msg: 'serving', http: expect.stringMatching(/^127\.0\.0\.1:\d+$/) }]);
    } finally {
      await app.stop();
    }
    expect(openToOthers(join(root, 'pb_data'))).toEqual([]);
  });

  it('takes group and other permissions off a data dir made by an earlier release', async () => {
    const db = join(root, 'pb_data', 'data.db');
    chmodSync(db, 0o644);
    chmodSync(join(root, 'pb_data'), 0o755);
    writeFileSync(join(root, 'pb_data', 'old-note.txt'), 'x', { mode: 0o644 });
    const r = spawnSync(join('build', 'pocketbase'), ['migrate', 'up'], { cwd: root, encoding: 'utf8', env: { ...process.env, PB_DATA: '' } });
    expect(r.status, r.stderr).toBe(0);
    expect(openToOthers(join(root, 'pb_data'))).toEqual([]);
  });

  it('serves the Go profiler only on a loopback address, and only when asked', async () => {
    const refused = spawnSync(join('build', 'pocketbase'), ['migrate', 'up'], { cwd: root, encoding: 'utf8', env: { ...process.env, PB_DATA: '', APPLIANCE_PPROF: '0.0.0.0:0' } });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr + refused.stdout).toContain('only a loopback address is allowed');
    const port = await freePort();
    const proc = spawn(join('build', 'pocketbase'), ['migrate', 'up'], { cwd: root, env: { ...process.env, PB_DATA: '', APPLIANCE_PPROF: `127.0.0.1:${port}` } });
    let err = '';
    proc.stderr.on('data', (d) => (err += d));
    const exited = new Promise((r) => proc.once('exit', r));
    expect(await exited).toBe(0);
    expect(err).toContain(`pprof listening on http://127.0.0.1:${port}/debug/pprof/`);
    // without the variable nothing listens for it
    const quiet = spawnSync(join('build', 'pocketbase'), ['migrate', 'up'], { cwd: root, encoding: 'utf8', env: { ...process.env, PB_DATA: '', APPLIANCE_PPROF: '' } });
    expect(quiet.status, quiet.stderr).toBe(0);
    expect(quiet.stderr).not.toContain('pprof');
  });

  it('reads PB_DATA like npm start does', () => {
    const r = spawnSync(join('build', 'pocketbase'), ['migrate', 'up'], { cwd: root, encoding: 'utf8', env: { ...process.env, PB_DATA: 'other_data' } });
    expect(r.status, r.stderr).toBe(0);
    expect(statSync(join(root, 'other_data', 'data.db')).mode & 0o777).toBe(0o600);
  });
});
