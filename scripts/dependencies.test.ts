// What a release keeps after `npm prune --omit=dev` (deploy/Dockerfile and
// deploy/install.sh): only what runs, never the UI's build tools. A UI
// library listed under "dependencies" pulls SvelteKit and vite into every
// image through its peer dependencies; the UI is bundled into build/ui, so
// such libraries belong in devDependencies.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const lock = JSON.parse(readFileSync(resolve(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { dev?: boolean; devOptional?: boolean; optional?: boolean }>;
};

// the packages npm keeps with --omit=dev: every one not marked dev in the lock
const kept = Object.entries(lock.packages)
  .filter(([path, p]) => path.startsWith('node_modules/') && !p.dev)
  .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));

describe('production dependencies', () => {
  it('keep no build tool, UI framework or test runner', () => {
    const buildOnly = ['vite', '@sveltejs/kit', '@sveltejs/vite-plugin-svelte', 'svelte', 'esbuild', 'vitest', 'playwright-core', 'typescript', 'svelte-check'];
    expect(kept.filter((name) => buildOnly.includes(name))).toEqual([]);
  });

  it('keep what the bridge and the supervisor import at run time', () => {
    for (const name of ['smpp', 'pino', 'pocketbase', 'eventsource', 'sharp', 'libphonenumber-js']) expect(kept, name).toContain(name);
  });
});
