// `npm run test:faults [runs]`: the fault suite of issue 16 (tests/integration/faults.test.ts)
// run many times in a row (default 20 per scenario), totals written to
// bench/results/faults.json. `npm test` runs the same suite once per scenario.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildAll, log, root } from './lib.mjs';

const runs = process.argv[2] ?? process.env.FAULT_RUNS ?? '20';
await buildAll();
log(`fault suite: ${runs} runs of each scenario`);
const r = spawnSync(join(root, 'node_modules', '.bin', 'vitest'), ['run', '--project', 'integration', 'tests/integration/faults.test.ts'], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, FAULT_RUNS: runs, FAULT_RESULTS: process.env.FAULT_RESULTS ?? 'bench/results/faults.json' },
});
if (r.status === 0) log('totals written to bench/results/faults.json');
process.exit(r.status ?? 1);
