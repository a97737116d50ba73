// `npm start`: builds what is stale, then runs the appliance in the
// foreground: PocketBase, and the SMPP bridge beside it (restarted with a
// growing pause if it dies). Ctrl+C or SIGTERM stops both cleanly, in order:
// the bridge first (it stops taking work, waits for the SMSC's answers,
// stores outcomes, unbinds and writes link state, all through PocketBase),
// then PocketBase. Children run in their own process group, so a Ctrl+C in
// the terminal reaches this script only and the order holds.
//
//   --dir PATH   (or PB_DATA)   where the data lives, default ./pb_data
//   --http ADDR  (or HTTP_ADDR) listen address, default 127.0.0.1:8090
//   APPLIANCE_PREBUILT=1        build nothing, only check the build is there (releases)
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bridgeBundle, buildAll, checkBuilt, hooksOut, log, migrationsDir, pocketbaseBin, root, uiOut } from './lib.mjs';

const { values } = parseArgs({
  options: { dir: { type: 'string' }, http: { type: 'string' } },
  strict: true,
});
const dataDir = resolve(root, values.dir ?? process.env.PB_DATA ?? 'pb_data');
const http = values.http ?? process.env.HTTP_ADDR ?? '127.0.0.1:8090';
// the bridge gives itself 30 s to stop; past this it is killed and its journal finishes the job at the next start
const BRIDGE_STOP_MS = 40_000;

if (process.env.APPLIANCE_PREBUILT === '1') checkBuilt();
else await buildAll();

// the bridge's password lives with the data it protects
mkdirSync(dataDir, { recursive: true, mode: 0o700 });
const secretFile = join(dataDir, 'bridge.secret');
if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(24).toString('hex'), { mode: 0o600 });
const bridgePassword = readFileSync(secretFile, 'utf8').trim();

log(`data in ${dataDir}`);
log(`serving at http://${http}`);
const pb = spawn(
  pocketbaseBin,
  // 40 warm hook VMs: a request holds one (two with its after-commit hooks)
  // while it waits for the single SQLite writer, and past the pool PocketBase
  // builds a fresh VM per call (docs/build.md)
  ['serve', '--http', http, '--dir', dataDir, '--migrationsDir', migrationsDir, '--hooksDir', hooksOut, '--publicDir', uiOut, '--hooksPool', '40'],
  { stdio: 'inherit', cwd: root, detached: true, env: { ...process.env, APPLIANCE_BRIDGE_PASSWORD: bridgePassword } },
);

let stopping = false;
let bridge = null;
let bridgeTimer = null;
let bridgePause = 1000;

function startBridge() {
  if (stopping || !existsSync(bridgeBundle)) return;
  const started = Date.now();
  const pbUrl = `http://${http.replace(/^0\.0\.0\.0:/, '127.0.0.1:')}`;
  bridge = spawn(process.execPath, [bridgeBundle], {
    stdio: 'inherit',
    cwd: root,
    detached: true,
    env: {
      ...process.env,
      PB_URL: pbUrl,
      BRIDGE_EMAIL: 'bridge@appliance.local',
      BRIDGE_PASSWORD: bridgePassword,
      BRIDGE_JOURNAL: process.env.BRIDGE_JOURNAL ?? join(dataDir, 'bridge-journal'),
    },
  });
  bridge.on('exit', (code, signal) => {
    bridge = null;
    if (stopping) return maybeExit();
    // a bridge that ran a while gets a quick restart; one that keeps dying waits longer
    bridgePause = Date.now() - started > 60_000 ? 1000 : Math.min(bridgePause * 2, 30_000);
    log(`bridge exited (${code ?? signal}); restarting in ${bridgePause / 1000} s`);
    bridgeTimer = setTimeout(startBridge, bridgePause);
  });
}

async function waitForPocketBase() {
  const url = `http://${http.replace(/^0\.0\.0\.0:/, '127.0.0.1:')}/api/health`;
  for (let i = 0; i < 600 && !stopping && pb.exitCode === null; i++) {
    if (await fetch(url).then((r) => r.ok, () => false)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

let pbExit = null;
function maybeExit() {
  if (pbExit === null || bridge) return;
  process.exit(stopping ? 0 : pbExit);
}

// stopBridge sends SIGTERM and resolves once the bridge exited (SIGKILL after BRIDGE_STOP_MS)
function stopBridge() {
  const b = bridge;
  if (!b) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => {
      log(`bridge did not stop within ${BRIDGE_STOP_MS / 1000} s; killing it`);
      b.kill('SIGKILL');
    }, BRIDGE_STOP_MS);
    b.once('exit', () => {
      clearTimeout(force);
      done();
    });
    b.kill('SIGTERM');
  });
}

async function shutdown(why) {
  if (stopping) return;
  stopping = true;
  log(`stopping (${why}): the bridge first, then PocketBase`);
  clearTimeout(bridgeTimer);
  await stopBridge();
  log('bridge stopped; stopping PocketBase');
  if (pb.exitCode === null && pb.signalCode === null) pb.kill('SIGTERM');
  else maybeExit();
}

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void shutdown(signal));

// if this script dies of an error, its children (in their own groups) must not outlive it
process.on('exit', () => {
  bridge?.kill('SIGTERM');
  if (pb.exitCode === null) pb.kill('SIGTERM');
});

pb.on('exit', (code, signal) => {
  pbExit = code ?? 1;
  if (!stopping) {
    log(`PocketBase exited (${code ?? signal})`);
    stopping = true;
    bridge?.kill('SIGTERM');
  }
  maybeExit();
});

if (await waitForPocketBase()) startBridge();
