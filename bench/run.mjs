// Runs a TypeScript benchmark: `node bench/run.mjs bench/realtime/run.ts [args]`.
// esbuild bundles it to build/bench/ (two levels under the root, like the
// tests/helpers it imports expect) with packages left external.
import { build } from 'esbuild';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = process.argv[2];
if (!entry) {
  console.error('usage: node bench/run.mjs <bench file.ts> [args]');
  process.exit(2);
}
const outfile = join(root, 'build', 'bench', `${basename(dirname(entry))}-${basename(entry, '.ts')}.mjs`);
await build({ entryPoints: [resolve(entry)], outfile, bundle: true, platform: 'node', format: 'esm', packages: 'external', target: 'node20', logLevel: 'warning' });
process.argv.splice(2, 1);
await import(pathToFileURL(outfile).href);
