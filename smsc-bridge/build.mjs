// Bundles the bridge for Node 20: smsc-bridge/src/main.ts (with the shared
// src/lib/domain modules) into build/smsc-bridge.mjs; npm packages stay
// external and load from node_modules.
import { existsSync, statSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');

/** bridgeOut is where the bundle goes. */
export const bridgeOut = join(root, 'build', 'smsc-bridge.mjs');

function newest(dir) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    t = Math.max(t, st.isDirectory() ? newest(p) : st.mtimeMs);
  }
  return t;
}

/**
 * buildBridge bundles the bridge when its sources (or the shared domain
 * modules) are newer than the bundle, or always with { force: true }.
 * Resolves with the bundle's path.
 */
export async function buildBridge({ force = false, outfile = bridgeOut } = {}) {
  const inputs = [join(here, 'src'), join(root, 'src', 'lib', 'domain')];
  const stale = force || !existsSync(outfile) || statSync(outfile).mtimeMs < Math.max(...inputs.map(newest));
  if (!stale) return outfile;
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [join(here, 'src', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  return outfile;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildBridge({ force: process.argv.includes('--force') });
  process.stdout.write(`${out}\n`);
}
