// deploy/systemd/install.sh in a throw-away root, as an IT admin would run it
// on a plain Debian box: it creates the service user, installs a built
// release in /opt/appliance with run-time packages only, installs and enables
// the unit; the installed release then starts without building anything.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freePort } from '../helpers/appliance';

const repo = resolve(import.meta.dirname, '..', '..');
const root = mkdtempSync(join(process.env.DEPLOY_TEST_DIR ?? tmpdir(), 'appliance-install-root-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('creates the user, installs and builds in /opt/appliance, and enables the unit', () => {
  const r = spawnSync('sh', [join(repo, 'deploy', 'systemd', 'install.sh'), '--root', root], { encoding: 'utf8', cwd: repo });
  expect(r.status, r.stderr + r.stdout).toBe(0);

  const passwd = readFileSync(join(root, 'etc', 'passwd'), 'utf8');
  expect(passwd).toMatch(/^appliance:x:\d+:\d+::\/var\/lib\/appliance:\/usr\/sbin\/nologin$/m);
  expect(readFileSync(join(root, 'etc', 'group'), 'utf8')).toMatch(/^appliance:/m);

  const opt = join(root, 'opt', 'appliance');
  for (const p of ['build/pocketbase', 'build/pb_hooks/.built', 'build/ui/index.html', 'build/smsc-bridge.mjs', 'pb_migrations', 'node_modules/smpp', 'node_modules/sharp']) {
    expect(existsSync(join(opt, p)), p).toBe(true);
  }
  // run-time packages only, and the lock file as shipped
  expect(existsSync(join(opt, 'node_modules', 'vite'))).toBe(false);
  expect(readFileSync(join(opt, 'package-lock.json'), 'utf8')).toBe(readFileSync(join(repo, 'package-lock.json'), 'utf8'));
  expect(existsSync(join(opt, '.git'))).toBe(false);

  const unit = join(root, 'etc', 'systemd', 'system', 'appliance.service');
  expect(readFileSync(unit, 'utf8')).toBe(readFileSync(join(repo, 'deploy', 'systemd', 'appliance.service'), 'utf8'));
  const wants = join(root, 'etc', 'systemd', 'system', 'multi-user.target.wants', 'appliance.service');
  expect(lstatSync(wants).isSymbolicLink()).toBe(true);
  expect(readlinkSync(wants)).toBe('/etc/systemd/system/appliance.service');
  expect(existsSync(join(root, 'etc', 'appliance', 'appliance.env'))).toBe(true);
});

it('starts the installed release with the unit’s settings, building nothing', async () => {
  const opt = join(root, 'opt', 'appliance');
  const dataDir = mkdtempSync(join(tmpdir(), 'appliance-install-data-'));
  const port = await freePort();
  const bridgePort = await freePort();
  const before = spawnSync('find', [opt, '-newer', join(opt, 'build', 'pocketbase'), '-not', '-path', '*/node_modules/*'], { encoding: 'utf8' }).stdout;
  const proc = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: opt,
    env: { ...process.env, PB_DATA: dataDir, HTTP_ADDR: `127.0.0.1:${port}`, APPLIANCE_PREBUILT: '1', BRIDGE_HTTP: `127.0.0.1:${bridgePort}`, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  const exit = new Promise<number | null>((ok) => proc.once('exit', (code) => ok(code)));
  try {
    let ok = false;
    for (let i = 0; i < 400 && proc.exitCode === null && !ok; i++) {
      ok = await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.ok, () => false);
      if (!ok) await new Promise((r) => setTimeout(r, 50));
    }
    expect(ok, out).toBe(true);
    expect(await (await fetch(`http://127.0.0.1:${port}/api/setup`)).json()).toEqual({ needs_admin: true });
    expect(out).not.toContain('building');
  } finally {
    proc.kill('SIGTERM');
    expect(await exit).toBe(0);
    rmSync(dataDir, { recursive: true, force: true });
  }
  const after = spawnSync('find', [opt, '-newer', join(opt, 'build', 'pocketbase'), '-not', '-path', '*/node_modules/*'], { encoding: 'utf8' }).stdout;
  expect(after).toBe(before);
});
