// `npm start` as a newcomer runs it: reuses the build, serves the API and the
// UI on the address given, and stops cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freePort } from '../helpers/appliance';

const root = resolve(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'appliance-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it('serves API and UI from the given data dir and exits 0 on SIGTERM', async () => {
  const port = await freePort();
  const proc = spawn(process.execPath, ['scripts/start.mjs', '--http', `127.0.0.1:${port}`], {
    cwd: root,
    env: { ...process.env, PB_DATA: dataDir },
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

  const index = await fetch(`${base}/login`);
  expect(index.status).toBe(200);
  expect(await index.text()).toContain('<html');
  expect(await (await fetch(`${base}/api/setup`)).json()).toEqual({ needs_admin: true });

  proc.kill('SIGTERM');
  expect(await exit).toBe(0);
});
