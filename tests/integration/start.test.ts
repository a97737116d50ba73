// `npm start` as a newcomer runs it: reuses the build, serves the API and the
// UI on the address given, starts the SMPP bridge beside PocketBase, and
// stops both cleanly on SIGTERM.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freePort } from '../helpers/appliance';

const root = resolve(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'appliance-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it('serves API and UI, runs the bridge signed in as its service account, and exits 0 on SIGTERM', async () => {
  const port = await freePort();
  const bridgePort = await freePort();
  const proc = spawn(process.execPath, ['scripts/start.mjs', '--http', `127.0.0.1:${port}`], {
    cwd: root,
    env: { ...process.env, PB_DATA: dataDir, BRIDGE_HTTP: `127.0.0.1:${bridgePort}`, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  const exit = new Promise<number | null>((ok) => proc.once('exit', (code) => ok(code)));

  // the script prints its address once PocketBase is spawned
  const base = `http://127.0.0.1:${port}`;
  let health: Response | undefined;
  for (let i = 0; i < 400 && proc.exitCode === null; i++) {
    health = await fetch(`${base}/api/health`).catch(() => undefined);
    if (health?.ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(health?.ok, out).toBe(true);
  expect(existsSync(join(dataDir, 'data.db'))).toBe(true);
  // password hashes and SMSC passwords: owner only
  expect(statSync(join(dataDir, 'data.db')).mode & 0o777).toBe(0o600);

  const index = await fetch(`${base}/login`);
  expect(index.status).toBe(200);
  expect(await index.text()).toContain('<html');
  expect(await (await fetch(`${base}/api/setup`)).json()).toEqual({ needs_admin: true });

  // the bridge answers 200 on /healthz once it has signed in and read its links
  let bridgeHealth: Response | undefined;
  for (let i = 0; i < 400 && proc.exitCode === null; i++) {
    bridgeHealth = await fetch(`http://127.0.0.1:${bridgePort}/healthz`).catch(() => undefined);
    if (bridgeHealth?.ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(bridgeHealth?.status, out).toBe(200);
  expect(statSync(join(dataDir, 'bridge.secret')).mode & 0o777).toBe(0o600);

  // a bridge that dies is started again
  const bridgePid = () =>
    execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(proc.pid)], { encoding: 'utf8' })
      .split('\n')
      .find((l) => l.includes('smsc-bridge.mjs'))
      ?.trim()
      .split(/\s+/)[0];
  const first = bridgePid();
  expect(first).toBeTruthy();
  process.kill(Number(first), 'SIGKILL');
  let second: string | undefined;
  for (let i = 0; i < 200 && proc.exitCode === null; i++) {
    second = bridgePid();
    if (second && second !== first && (await fetch(`http://127.0.0.1:${bridgePort}/healthz`).then((r) => r.ok, () => false))) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(second).toBeTruthy();
  expect(second).not.toBe(first);

  proc.kill('SIGTERM');
  expect(await exit).toBe(0);
  // the bridge stops first, while PocketBase can still take its last writes
  expect(out).toMatch(/stopping \(SIGTERM\): the bridge first[\s\S]*bridge stopped; stopping PocketBase/);
});
