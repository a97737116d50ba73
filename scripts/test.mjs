// `npm test`: installs what is missing (npm packages, Debian's chromium),
// builds, type-checks the hooks and the UI, then runs the unit, integration
// and end-to-end suites. Exits non-zero when anything fails.
// `npm run test:deploy` (`node scripts/test.mjs deploy`): the same set-up,
// then only the container image and install script tests (buildah).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { buildAll, ensureDebianPackages, log, root, setLogFormat } from './lib.mjs';

// a summary for people, also in CI's captured output
setLogFormat(process.env.LOG_FORMAT || 'pretty');

// what the tests need from Debian: the browser for e2e, Net::SMPP as the
// SMPP peer that shares no code with ours, openssl
const DEBIAN = [
  { pkg: 'chromium', present: () => existsSync('/usr/bin/chromium') },
  { pkg: 'libnet-smpp-perl', present: () => spawnSync('perl', ['-MNet::SMPP', '-e', '1']).status === 0 },
  // certificates for the bridge's TLS test
  { pkg: 'openssl', present: () => spawnSync('openssl', ['version']).status === 0 },
];

const steps = [];
function step(name, cmd, args) {
  log(`── ${name}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root });
  const ok = r.status === 0;
  steps.push({ name, ok, seconds: (Date.now() - started) / 1000 });
  return ok;
}

const bin = (name) => `${root}/node_modules/.bin/${name}`;

try {
  await buildAll();
  ensureDebianPackages(DEBIAN);
} catch (err) {
  log(`setup failed: ${err.message}`);
  process.exit(1);
}

if (process.argv[2] === 'deploy') {
  step('deploy tests (vitest)', bin('vitest'), ['run', '--project', 'deploy']);
} else {
  step('type-check hooks (tsc)', bin('tsc'), ['-p', 'pb_hooks']);
  step('type-check bridge (tsc)', bin('tsc'), ['-p', 'smsc-bridge']);
  step('type-check UI (svelte-check)', bin('svelte-check'), ['--tsconfig', './tsconfig.json', '--threshold', 'error', '--output', 'human']);
  for (const project of ['unit', 'integration', 'e2e']) {
    step(`${project} tests (vitest)`, bin('vitest'), ['run', '--project', project]);
  }
}

log('── summary');
for (const s of steps) log(`${s.ok ? 'pass' : 'FAIL'}  ${s.name}  (${s.seconds.toFixed(1)} s)`);
const failed = steps.filter((s) => !s.ok).length;
log(failed ? `${failed} of ${steps.length} steps failed` : `all ${steps.length} steps passed`);
process.exit(failed ? 1 : 0);
