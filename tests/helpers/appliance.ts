// Starts the real appliance for a test: the PocketBase binary from build/ on
// a temporary data dir and a free loopback port, with the working tree's
// migrations, compiled hooks and UI; plus SDK clients for each kind of caller.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import PocketBase from 'pocketbase';
import { EventSource } from 'eventsource';

const root = resolve(import.meta.dirname, '..', '..');
const bin = join(root, 'build', 'pocketbase');

// the SDK's realtime client expects a browser EventSource
(globalThis as { EventSource?: unknown }).EventSource ??= EventSource;

/** HOOKS_POOL matches scripts/start.mjs: JS VMs kept warm for hooks (see docs/build.md). */
export const HOOKS_POOL = 40;

export const SUPERUSER = { email: 'root@test.local', password: 'superuser-password-1' };

export interface Appliance {
  /** url is the origin the appliance serves the UI and API on. */
  url: string;
  dataDir: string;
  /** pid is the PocketBase process id (for memory readings). */
  pid: number;
  /** superuser is an SDK client signed in as a PocketBase superuser. */
  superuser: PocketBase;
  /** client returns a fresh, anonymous SDK client. */
  client(): PocketBase;
  /** logs holds what PocketBase printed so far. */
  logs(): string;
  /** restart stops PocketBase (SIGTERM) and starts it again on the same data dir and port; the superuser client is signed in again. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** freePort asks the kernel for an unused loopback port. */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}

/** startAppliance boots PocketBase on a fresh data dir and resolves when it answers /api/health; env is added to its environment. */
export async function startAppliance(options: { env?: NodeJS.ProcessEnv } = {}): Promise<Appliance> {
  const dataDir = mkdtempSync(join(tmpdir(), 'appliance-'));
  const common = ['--dir', dataDir, '--migrationsDir', join(root, 'pb_migrations')];
  const upsert = spawnSync(bin, ['superuser', 'upsert', SUPERUSER.email, SUPERUSER.password, ...common], {
    encoding: 'utf8',
  });
  if (upsert.status !== 0) throw new Error(`superuser upsert failed: ${upsert.stderr}${upsert.stdout}`);

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const launch = async () => {
    const proc: ChildProcess = spawn(
      bin,
      [
        'serve',
        '--http',
        `127.0.0.1:${port}`,
        ...common,
        '--hooksDir',
        join(root, 'build', 'pb_hooks'),
        '--publicDir',
        join(root, 'build', 'ui'),
        '--hooksPool',
        process.env.HOOKS_POOL ?? String(HOOKS_POOL),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } },
    );
    proc.stdout!.on('data', (d) => (output += d));
    proc.stderr!.on('data', (d) => (output += d));
    const exited = new Promise<void>((ok) => proc.once('exit', () => ok()));
    await waitForHealth(url, proc, () => output);
    return { proc, exited };
  };
  const halt = async (run: { proc: ChildProcess; exited: Promise<void> }) => {
    if (run.proc.exitCode === null && run.proc.signalCode === null) {
      run.proc.kill('SIGTERM');
      await run.exited;
    }
  };
  let run = await launch();
  const superuser = new PocketBase(url);
  superuser.autoCancellation(false);
  await superuser.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password);

  return {
    url,
    dataDir,
    get pid() {
      return run.proc.pid!;
    },
    superuser,
    client() {
      const pb = new PocketBase(url);
      pb.autoCancellation(false);
      return pb;
    },
    logs: () => output,
    async restart() {
      superuser.realtime.unsubscribe().catch(() => {});
      await halt(run);
      run = await launch();
      await superuser.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password);
    },
    async stop() {
      superuser.realtime.unsubscribe().catch(() => {});
      await halt(run);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function waitForHealth(url: string, proc: ChildProcess, logs: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`PocketBase exited with ${proc.exitCode}:\n${logs()}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`PocketBase did not answer /api/health within 20 s:\n${logs()}`);
}

export interface UserSpec {
  name: string;
  extension: string;
  role?: 'admin' | 'member';
  email?: string;
  password?: string;
}

export interface SignedIn {
  pb: PocketBase;
  record: { id: string; [k: string]: unknown };
  password: string;
}

/** createUser makes an account as the superuser and returns a client signed in as it. */
export async function createUser(app: Appliance, spec: UserSpec): Promise<SignedIn> {
  const password = spec.password ?? `pw-${spec.extension}-secret`;
  const email = spec.email ?? `${spec.name.toLowerCase().replace(/\W+/g, '.')}@test.local`;
  const record = await app.superuser.collection('users').create({
    name: spec.name,
    extension: spec.extension,
    role: spec.role ?? 'member',
    email,
    password,
    passwordConfirm: password,
  });
  return { pb: await impersonate(app, 'users', record.id), record, password };
}

/** createService makes a machine account and returns a client signed in as it. */
export async function createService(app: Appliance, name: string): Promise<SignedIn> {
  const password = `svc-${name}-secret-pw`;
  const record = await app.superuser.collection('services').create({
    name,
    email: `${name}@services.local`,
    password,
    passwordConfirm: password,
  });
  return { pb: await impersonate(app, 'services', record.id), record, password };
}

// impersonation hands out tokens without going through the sign-in rate limiter
async function impersonate(app: Appliance, collection: string, id: string): Promise<PocketBase> {
  const pb = await app.superuser.collection(collection).impersonate(id, 3600);
  pb.autoCancellation(false);
  return pb;
}

export { launchBrowser, logInAs } from './browser';
