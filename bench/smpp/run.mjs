// `node bench/smpp/run.mjs [e2e]`: bundles the SMPP benchmark and its
// simulator with esbuild (Node runs no TypeScript), then runs it.
//   (no argument)  submit_sm/s through the session and the pipeline → bench/results/smpp.json
//   e2e            through PocketBase (needs build/pocketbase: npm run build) → bench/results/smpp-e2e.json
//   throttle       draining curves through a throttling SMSC → bench/results/throttle.json
//   journal        the journal's fsync cost by concurrent writers → bench/results/journal.json
//   kannel         the user's path (API → SMSC → delivered) against Debian's Kannel on the same SMSC → bench/results/smpp-kannel.json
//   outage         CPU per minute and requests while a link is down, idle vs 10,000 waiting → bench/results/outage.json
//   gateway        a GSM gateway in real time: 5 idle minutes under a 10 s quiet-drop, 200 texts at 6/min → bench/results/gateway.json
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBridge } from '../../smsc-bridge/build.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const out = join(root, 'build', 'bench-smpp');
const which = ['e2e', 'throttle', 'journal', 'outage', 'gateway', 'kannel'].includes(process.argv[2]) ? process.argv[2] : 'bench';
const esbuild = await import('esbuild');
await esbuild.build({
  entryPoints: { bench: join(here, 'bench.ts'), e2e: join(here, 'e2e.ts'), throttle: join(here, 'throttle.ts'), journal: join(here, 'journal.ts'), outage: join(here, 'outage.ts'), gateway: join(here, 'gateway.ts'), kannel: join(here, 'kannel.ts'), 'sim-server': join(here, 'sim-server.ts') },
  outdir: out,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
if (which === 'e2e' || which === 'outage' || which === 'kannel') await buildBridge();
const r = spawnSync(process.execPath, [join(out, `${which}.mjs`), ...process.argv.slice(3)], { stdio: 'inherit', cwd: root, env: { ...process.env, BENCH_ROOT: root } });
process.exit(r.status ?? 1);
