// The real deploy/Dockerfile, built and run the way this machine can: no
// Docker engine or registry is reachable here, so Debian's buildah builds it
// (`buildah bud --isolation chroot`) on stand-in base images made from
// Debian's packages with debootstrap, with this machine's Node and Go copied
// in where the official node:20-bookworm-slim and golang:1.26-bookworm images
// would have them, and this machine's CA bundle (registries are reached
// through a TLS proxy). The appliance then runs inside with the image's own
// entrypoint, user, environment and volume (`buildah run --isolation chroot`,
// which needs a containers.conf with `default_ulimits = []`): /api/health, the
// first-run screen, the health check, the README's superuser command, a clean
// stop on SIGTERM to PID 1 (tini), and a restart that keeps the data.
//
// Slow (the first run makes the bases and builds Go from scratch): it is the
// `deploy` project, `npm run test:deploy`, not part of `npm test`.
import { spawn, spawnSync, type ChildProcess, type SpawnSyncOptions } from 'node:child_process';
import { chownSync, chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/appliance';

const repo = resolve(import.meta.dirname, '..', '..');
const cache = process.env.APPLIANCE_IMAGE_CACHE ?? '/var/tmp/appliance-image';
const IMAGE = 'localhost/messaging-appliance:test';
const BASES = { debian: 'localhost/standin-debian:bookworm', node: 'localhost/standin-node:20', go: 'localhost/standin-go:1.26' };
const UID = 10001; // the image's appliance user
const env = { ...process.env, CONTAINERS_CONF: join(cache, 'containers.conf') };

/** sh runs a command and returns its stdout, throwing with its output on failure. */
function sh(cmd: string, args: string[], opts: SpawnSyncOptions = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, maxBuffer: 64 << 20, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? r.error?.message}:\n${r.stderr}\n${String(r.stdout).slice(-4000)}`);
  return String(r.stdout);
}

function timed<T>(label: string, f: () => T): T {
  const started = Date.now();
  const result = f();
  console.log(`[image] ${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

function ensureTools() {
  const missing = ['buildah', 'debootstrap'].filter((t) => spawnSync(t, ['--version']).status !== 0);
  if (missing.length === 0) return;
  sh('apt-get', ['update']);
  sh('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env: { ...env, DEBIAN_FRONTEND: 'noninteractive' } });
}

const hasImage = (name: string) => sh('buildah', ['images', '--quiet', '--filter', `reference=${name}`]).trim() !== '';

/** ensureBases makes the stand-in base images once (kept in buildah's store between runs). */
function ensureBases() {
  mkdirSync(cache, { recursive: true });
  writeFileSync(join(cache, 'containers.conf'), '[containers]\ndefault_ulimits = []\n');
  const bud = (name: string, dir: string) => sh('buildah', ['bud', '--isolation', 'chroot', '-t', name, '-f', join(dir, 'Containerfile'), dir]);
  if (!hasImage(BASES.debian)) {
    const rootfs = join(cache, 'rootfs');
    if (!existsSync(join(rootfs, 'etc', 'debian_version'))) {
      rmSync(rootfs, { recursive: true, force: true });
      timed('debootstrap bookworm', () => sh('debootstrap', ['--variant=minbase', 'bookworm', rootfs, 'http://deb.debian.org/debian']));
    }
    mkdirSync(join(rootfs, 'etc', 'ssl', 'certs'), { recursive: true });
    cpSync('/etc/ssl/certs/ca-certificates.crt', join(rootfs, 'etc', 'ssl', 'certs', 'ca-certificates.crt'));
    rmSync(join(rootfs, 'var', 'cache', 'apt', 'archives'), { recursive: true, force: true });
    mkdirSync(join(rootfs, 'var', 'cache', 'apt', 'archives', 'partial'), { recursive: true });
    const ctx = join(cache, 'ctx-debian');
    mkdirSync(ctx, { recursive: true });
    sh('tar', ['-C', rootfs, '-cf', join(ctx, 'rootfs.tar'), '.']);
    writeFileSync(
      join(ctx, 'Containerfile'),
      'FROM scratch\nADD rootfs.tar /\nENV LANG=C.UTF-8 SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt\nCMD ["bash"]\n',
    );
    timed('stand-in debian base', () => bud(BASES.debian, ctx));
  }
  if (!hasImage(BASES.node)) {
    const ctx = join(cache, 'ctx-node');
    rmSync(ctx, { recursive: true, force: true });
    mkdirSync(ctx, { recursive: true });
    cpSync(process.execPath, join(ctx, 'node'));
    const npmDir = join(sh('npm', ['root', '-g']).trim(), 'npm');
    cpSync(npmDir, join(ctx, 'npm'), { recursive: true });
    writeFileSync(
      join(ctx, 'Containerfile'),
      `FROM ${BASES.debian}\nCOPY node /usr/local/bin/node\nCOPY npm /usr/local/lib/node_modules/npm\nRUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx && node --version\nCMD ["node"]\n`,
    );
    timed('stand-in node base', () => bud(BASES.node, ctx));
  }
  if (!hasImage(BASES.go)) {
    const ctx = join(cache, 'ctx-go');
    rmSync(ctx, { recursive: true, force: true });
    mkdirSync(ctx, { recursive: true });
    cpSync(sh('go', ['env', 'GOROOT']).trim(), join(ctx, 'go'), { recursive: true });
    writeFileSync(
      join(ctx, 'Containerfile'),
      `FROM ${BASES.debian}\nCOPY go /usr/local/go\nENV PATH=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin GOPATH=/go\nRUN go version\n`,
    );
    timed('stand-in go base', () => bud(BASES.go, ctx));
  }
}

interface ImageConfig {
  User: string;
  Env: string[];
  Entrypoint: string[];
  Cmd: string[];
  WorkingDir: string;
  ExposedPorts: Record<string, unknown>;
  Volumes: Record<string, unknown>;
  Healthcheck?: { Test: string[] };
  StopSignal?: string;
}

/** descendants lists the processes below pid. */
function descendants(pid: number): { pid: number; comm: string; args: string }[] {
  const rows = sh('ps', ['-e', '-o', 'pid=,ppid=,comm=,args=']).split('\n').filter(Boolean).map((l) => {
    const [p, pp, comm, ...args] = l.trim().split(/\s+/);
    return { pid: Number(p), ppid: Number(pp), comm, args: args.join(' ') };
  });
  const out: { pid: number; comm: string; args: string }[] = [];
  const walk = (parent: number) => {
    for (const r of rows.filter((x) => x.ppid === parent)) {
      out.push(r);
      walk(r.pid);
    }
  };
  walk(pid);
  return out;
}

let config: ImageConfig;
const containers: string[] = [];
const dataDir = mkdtempSync(join(process.env.DEPLOY_TEST_DIR ?? tmpdir(), 'appliance-image-data-'));

beforeAll(() => {
  ensureTools();
  ensureBases();
  timed('buildah bud deploy/Dockerfile', () =>
    sh('buildah', [
      'bud', '--isolation', 'chroot', '--layers', '--format', 'docker',
      '--build-arg', `GO_IMAGE=${BASES.go}`, '--build-arg', `NODE_IMAGE=${BASES.node}`,
      '-t', IMAGE, '-f', 'deploy/Dockerfile', '.',
    ], { cwd: repo }),
  );
  config = JSON.parse(sh('buildah', ['inspect', '--type', 'image', IMAGE])).Docker.config;
  chownSync(dataDir, UID, UID);
  chmodSync(dataDir, 0o700);
});

afterAll(() => {
  for (const c of containers) spawnSync('buildah', ['rm', c], { env });
  rmSync(dataDir, { recursive: true, force: true });
});

/** container makes a working container from the image, as `docker run` would. */
function container(): string {
  const name = `appliance-test-${process.pid}-${containers.length}`;
  sh('buildah', ['from', '--name', name, IMAGE]);
  containers.push(name);
  // buildah 1.28 mounts a per-container volume of its own over an image
  // VOLUME even when `run -v` names the same path; without the declaration
  // in this working container, `-v host:/data` binds as `docker run -v` does
  sh('buildah', ['config', '--volume', '/data-', name]);
  return name;
}

interface Running {
  url: string;
  proc: ChildProcess;
  output(): string;
  exit: Promise<number | null>;
}

/** runAppliance starts the image's entrypoint + cmd with the data volume, on free ports. */
async function runAppliance(name: string): Promise<Running> {
  const port = await freePort();
  const bridgePort = await freePort();
  const args = [
    'run', '--isolation', 'chroot', '--user', config.User,
    // chroot isolation shares the host's network: pick free ports
    '-e', `HTTP_ADDR=127.0.0.1:${port}`, '-e', `BRIDGE_HTTP=127.0.0.1:${bridgePort}`,
    '-v', `${dataDir}:/data`, name, '--', ...config.Entrypoint, ...config.Cmd,
  ];
  const proc = spawn('buildah', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exit = new Promise<number | null>((ok) => proc.once('exit', (code) => ok(code)));
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  let ok = false;
  for (let i = 0; i < 600 && proc.exitCode === null && !ok; i++) {
    ok = await fetch(`${url}/api/health`).then((r) => r.ok, () => false);
    if (!ok) await new Promise((r) => setTimeout(r, 100));
  }
  console.log(`[image] appliance answered /api/health after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (!ok) throw new Error(`the appliance did not start in the container:\n${out}`);
  return { url, proc, output: () => out, exit };
}

/** stop sends SIGTERM to the container's PID 1 (tini), as `docker stop` does, and waits. */
async function stop(app: Running): Promise<number | null> {
  const tini = descendants(app.proc.pid!).find((p) => p.comm === 'tini');
  expect(tini, JSON.stringify(descendants(app.proc.pid!))).toBeTruthy();
  const started = Date.now();
  process.kill(tini!.pid, 'SIGTERM');
  const code = await app.exit;
  console.log(`[image] stopped ${((Date.now() - started) / 1000).toFixed(1)} s after SIGTERM`);
  return code;
}

const ADMIN = { name: 'Ada Admin', extension: '100', email: 'ada@example.com', password: 'ada-password-123' };

describe('deploy/Dockerfile', () => {
  it('is configured as an appliance image: non-root, one volume, one port, a health check, tini as PID 1', () => {
    expect(config.User).toBe('appliance');
    expect(Object.keys(config.Volumes)).toEqual(['/data']);
    expect(Object.keys(config.ExposedPorts)).toEqual(['8090/tcp']);
    expect(config.Healthcheck?.Test).toEqual(['CMD', 'node', 'scripts/healthcheck.mjs']);
    expect(config.Entrypoint).toEqual(['/usr/bin/tini', '--']);
    expect(config.Env).toEqual(expect.arrayContaining(['PB_DATA=/data', 'HTTP_ADDR=0.0.0.0:8090', 'APPLIANCE_PREBUILT=1']));

    const size = sh('buildah', ['images', '--format', '{{.Size}}', IMAGE]).trim();
    const name = container();
    const mount = sh('buildah', ['mount', name]).trim();
    try {
      const du = sh('du', ['-sh', ...['usr/local/bin/node', 'usr/local/lib/node_modules', 'app/node_modules', 'app/build/pocketbase', 'app/build/ui', 'app/build/pb_hooks', 'usr/lib', 'usr/share'].map((p) => join(mount, p))]);
      console.log(`[image] ${IMAGE}: ${size}\n${du.replaceAll(mount, '')}`);
      // nothing of the build is left in the final image
      for (const absent of ['app/src', 'app/tests', 'app/bench', 'app/.git', 'app/deploy', 'app/node_modules/vite', 'app/node_modules/esbuild']) {
        expect(existsSync(join(mount, absent)), absent).toBe(false);
      }
    } finally {
      sh('buildah', ['umount', name]);
    }
  });

  it('starts as the appliance user, serves /api/health and the first-run screen, and stops cleanly on SIGTERM', async () => {
    const name = container();
    const app = await runAppliance(name);
    try {
      expect(await (await fetch(`${app.url}/api/setup`)).json()).toEqual({ needs_admin: true });
      const page = await fetch(`${app.url}/setup`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<html');

      // the image's own health check, run inside the container
      const health = spawnSync('buildah', ['run', '--isolation', 'chroot', '--user', config.User, '-e', `HTTP_ADDR=${new URL(app.url).host}`, name, '--', ...config.Healthcheck!.Test.slice(1)], { env, encoding: 'utf8' });
      expect(health.status, health.stderr).toBe(0);

      const created = await fetch(`${app.url}/api/setup/admin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...ADMIN, passwordConfirm: ADMIN.password }),
      });
      expect(created.status, await created.clone().text()).toBe(200);
      // nothing was built at start
      expect(app.output()).not.toContain('building');
    } finally {
      expect(await stop(app)).toBe(0);
    }
    expect(app.output()).toContain('stopping (SIGTERM)');
    const db = statSync(join(dataDir, 'data.db'));
    expect(db.uid).toBe(UID);
    expect(db.mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'bridge.secret')).uid).toBe(UID);
  });

  it("runs the README's superuser command inside the container", () => {
    const readme = readFileSync(join(repo, 'README.md'), 'utf8');
    const line = readme.split('\n').find((l) => l.startsWith('docker compose -f deploy/compose.yaml exec appliance '));
    expect(line, 'README: docker compose -f deploy/compose.yaml exec appliance …').toBeTruthy();
    const command = line!.slice('docker compose -f deploy/compose.yaml exec appliance '.length);
    const r = spawnSync('buildah', ['run', '--isolation', 'chroot', '--user', config.User, '-v', `${dataDir}:/data`, container(), '--', 'sh', '-c', command], { env, encoding: 'utf8' });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('Successfully saved superuser');
  });

  it('keeps the data across a restart of a new container from the image (an upgrade)', async () => {
    const app = await runAppliance(container());
    try {
      expect(await (await fetch(`${app.url}/api/setup`)).json()).toEqual({ needs_admin: false });
      const pb = new PocketBase(app.url);
      await pb.collection('users').authWithPassword(ADMIN.email, ADMIN.password);
      expect(pb.authStore.record?.name).toBe(ADMIN.name);
      const su = new PocketBase(app.url);
      const [, email, password] = readFileSync(join(repo, 'README.md'), 'utf8').match(/exec appliance build\/pocketbase superuser upsert (\S+) '([^']+)'/)!;
      await su.collection('_superusers').authWithPassword(email, password);
    } finally {
      expect(await stop(app)).toBe(0);
    }
  });
});
