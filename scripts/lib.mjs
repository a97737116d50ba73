// Build steps shared by `npm start`, `npm test` and `npm run build`: each step
// checks whether its output is older than its inputs and does nothing when it
// is current, so a second start reuses what is built.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const buildDir = join(root, 'build');
export const pocketbaseBin = join(buildDir, 'pocketbase');
export const hooksOut = join(buildDir, 'pb_hooks');
export const uiOut = join(buildDir, 'ui');
export const migrationsDir = join(root, 'pb_migrations');
export const pocketbaseTypes = join(buildDir, 'pocketbase-types.d.ts');
export const bridgeBundle = join(buildDir, 'smsc-bridge.mjs');

const goModDir = join(root, 'deploy', 'pocketbase');

// on a terminal, lines for people; otherwise (a container, journald, a log
// collector) one JSON object per line, like the bridge's. LOG_FORMAT=json or
// pretty overrides.
let logFormat = process.env.LOG_FORMAT ?? '';

/** setLogFormat chooses 'json' or 'pretty' for this process (npm test and npm run build print for people). */
export function setLogFormat(format) {
  logFormat = format;
}

/** log prints a step line the way every script does: `[appliance] msg`, or a JSON line off a terminal. */
export function log(msg, level = 'info') {
  const json = logFormat ? logFormat === 'json' : !process.stdout.isTTY;
  if (json) process.stdout.write(`${JSON.stringify({ level, time: new Date().toISOString(), svc: 'appliance', msg })}\n`);
  else process.stdout.write(`[appliance] ${msg}\n`);
}

/** run executes a command with inherited output and throws on a non-zero exit. */
export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

/** newestMtime returns the newest modification time under the given paths. */
export function newestMtime(paths, skip = () => false) {
  let newest = 0;
  const walk = (p) => {
    if (!existsSync(p) || skip(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) for (const name of readdirSync(p)) walk(join(p, name));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of paths) walk(p);
  return newest;
}

function outdated(output, inputs, skip) {
  if (!existsSync(output)) return true;
  return statSync(output).mtimeMs < newestMtime(inputs, skip);
}

/** ensureNodeModules runs `npm ci` when node_modules is missing or older than the lock file. */
export function ensureNodeModules() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (!outdated(marker, [join(root, 'package-lock.json')])) return;
  log('installing npm packages (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

/**
 * ensureDebianPackages installs with apt-get (through sudo unless root) the
 * packages of `wanted` whose `present()` says they are missing.
 */
export function ensureDebianPackages(wanted) {
  const missing = wanted.filter((d) => !d.present()).map((d) => d.pkg);
  if (missing.length === 0) return;
  log(`installing from Debian: ${missing.join(' ')}`);
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  for (const args of [['apt-get', 'update'], ['apt-get', 'install', '-y', '--no-install-recommends', ...missing]]) {
    const cmd = [...sudo, ...args];
    const r = spawnSync(cmd[0], cmd.slice(1), { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed (${r.status ?? r.error?.message})`);
  }
}

/** ensurePocketBase builds the PocketBase binary from deploy/pocketbase when it is missing or stale. */
export function ensurePocketBase() {
  if (outdated(pocketbaseBin, [goModDir])) {
    log('building PocketBase from its Go module (first time: a few minutes)');
    mkdirSync(buildDir, { recursive: true });
    // SQLite is compiled from C (deploy/pocketbase/sqlite.go): a C compiler first
    ensureDebianPackages([
      { pkg: 'gcc', present: () => spawnSync('gcc', ['--version']).status === 0 },
      { pkg: 'libc6-dev', present: () => existsSync('/usr/include/stdio.h') },
    ]);
    run('sh', [join(goModDir, 'build.sh'), pocketbaseBin]);
  }
  if (outdated(pocketbaseTypes, [pocketbaseBin])) copyPocketBaseTypes();
}

// the JSVM's types.d.ts ships in the Go module; copying it lets tsc check the
// hooks before PocketBase has ever run
function copyPocketBaseTypes() {
  const r = spawnSync('go', ['list', '-m', '-f', '{{.Dir}}', 'github.com/pocketbase/pocketbase'], {
    cwd: goModDir,
    encoding: 'utf8',
  });
  // r.error is set when go itself could not run (ENOENT: not installed)
  if (r.error) throw new Error(`go list: ${r.error.message} (Go >= 1.25 is needed to build PocketBase)`);
  if (r.status !== 0) throw new Error(`go list: ${r.stderr}`);
  const src = join(r.stdout.trim(), 'plugins', 'jsvm', 'internal', 'types', 'generated', 'types.d.ts');
  copyFileSync(src, pocketbaseTypes);
  chmodSync(pocketbaseTypes, 0o644);
}

/** ensureHooks compiles pb_hooks/*.pb.ts and bundles pb_hooks/lib/*.ts (with src/lib/domain) into build/pb_hooks. */
export async function ensureHooks() {
  const srcDir = join(root, 'pb_hooks');
  const inputs = [srcDir, join(root, 'src', 'lib', 'domain')];
  const stamp = join(hooksOut, '.built');
  if (!outdated(stamp, inputs)) return;
  log('compiling hooks');
  const esbuild = await import('esbuild');
  rmSync(hooksOut, { recursive: true, force: true });
  mkdirSync(join(hooksOut, 'lib'), { recursive: true });
  const isTest = (f) => f.endsWith('.test.ts') || f.endsWith('.d.ts');
  // goja runs ES2020 syntax; entry files stay scripts because every handler is
  // compiled on its own and must require() what it uses
  const entries = readdirSync(srcDir).filter((f) => f.endsWith('.pb.ts'));
  for (const f of entries) {
    await esbuild.build({
      entryPoints: [join(srcDir, f)],
      outfile: join(hooksOut, f.replace(/\.ts$/, '.js')),
      bundle: false,
      target: 'es2020',
      tsconfig: join(srcDir, 'tsconfig.json'),
      logLevel: 'warning',
    });
  }
  // every lib and domain module becomes its own CommonJS file, and imports
  // between them stay require() calls resolved at run time: a VM then loads
  // each module once instead of one bundled copy per lib (the phone-number
  // metadata alone is 150 KB)
  const libDir = join(srcDir, 'lib');
  const domainDir = join(root, 'src', 'lib', 'domain');
  const libs = existsSync(libDir) ? readdirSync(libDir).filter((f) => f.endsWith('.ts') && !isTest(f)) : [];
  const domain = readdirSync(domainDir).filter((f) => f.endsWith('.ts') && !isTest(f));
  const separate = {
    name: 'separate-modules',
    setup(b) {
      b.onResolve({ filter: /^\./ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        const target = resolve(args.resolveDir, args.path).replace(/\.(js|ts)$/, '');
        const name = target.split('/').pop();
        if (target.startsWith(domainDir + '/')) {
          const prefix = args.importer.startsWith(domainDir + '/') ? './' : './domain/';
          return { path: `${prefix}${name}.js`, external: true };
        }
        if (target.startsWith(libDir + '/')) return { path: `./${name}.js`, external: true };
        return undefined;
      });
    },
  };
  const common = { bundle: true, format: 'cjs', platform: 'neutral', mainFields: ['module', 'main'], target: 'es2020', tsconfig: join(srcDir, 'tsconfig.json'), logLevel: 'warning', plugins: [separate] };
  if (libs.length) await esbuild.build({ ...common, entryPoints: libs.map((f) => join(libDir, f)), outdir: join(hooksOut, 'lib') });
  await esbuild.build({ ...common, entryPoints: domain.map((f) => join(domainDir, f)), outdir: join(hooksOut, 'lib', 'domain') });
  writeStamp(stamp);
}

/** ensureSvelteKitSync writes .svelte-kit/, which the root tsconfig (and so vitest and svelte-check) extends. */
export function ensureSvelteKitSync() {
  if (existsSync(join(root, '.svelte-kit', 'tsconfig.json'))) return;
  run(process.execPath, [join(root, 'node_modules', '@sveltejs', 'kit', 'svelte-kit.js'), 'sync']);
}

/** ensureUi builds the SvelteKit SPA into build/ui when its sources changed. */
export function ensureUi() {
  const stamp = join(uiOut, 'index.html');
  const inputs = ['src', 'static', 'svelte.config.js', 'vite.config.ts', 'package-lock.json'].map((p) => join(root, p));
  if (!outdated(stamp, inputs, (p) => p.endsWith('.test.ts'))) return;
  log('building the UI');
  run(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn']);
}

function writeStamp(path) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, new Date().toISOString());
}

/** ensureBridge bundles smsc-bridge into build/smsc-bridge.mjs when its sources changed. */
export async function ensureBridge() {
  const { buildBridge } = await import('../smsc-bridge/build.mjs');
  await buildBridge({ outfile: bridgeBundle });
}

/**
 * checkBuilt throws, naming what is missing, unless every output `npm start`
 * runs is present. A release (the container image, an /opt install) is built
 * ahead and sets APPLIANCE_PREBUILT=1 so that nothing is built, or rebuilt
 * from a lock file that `npm ci --omit=dev` touched, when it starts.
 */
export function checkBuilt() {
  const outputs = [pocketbaseBin, join(hooksOut, '.built'), join(uiOut, 'index.html'), bridgeBundle, migrationsDir];
  const missing = outputs.filter((p) => !existsSync(p));
  if (missing.length) throw new Error(`APPLIANCE_PREBUILT is set but the build is incomplete: ${missing.join(', ')} missing (run npm run build)`);
}

/** buildAll runs every build step in order. */
export async function buildAll() {
  ensureNodeModules();
  // first: the root tsconfig extends .svelte-kit/tsconfig.json, and every
  // TypeScript step after this one reads it (else "Cannot find base config")
  ensureSvelteKitSync();
  ensurePocketBase();
  // first: the root tsconfig that esbuild reads extends .svelte-kit/tsconfig.json
  ensureSvelteKitSync();
  await ensureHooks();
  await ensureBridge();
  ensureUi();
}
