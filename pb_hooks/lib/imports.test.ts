// Hook modules import one way (STYLE.md, "Zulip's actions"): lower modules
// (settings, threads, numbers…) never import the features above them. A
// cycle would also make the JSVM's require() hand a half-loaded module to
// one side.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = import.meta.dirname;
const modules = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'));
const imports = new Map(
  modules.map((f) => {
    const text = readFileSync(join(dir, f), 'utf8');
    const deps = [...text.matchAll(/^import [^;]*? from '\.\/([\w-]+)'/gm)].map((m) => `${m[1]}.ts`);
    return [f, deps] as const;
  }),
);

/** cycleFrom returns a path that comes back to `start`, or null. */
function cycleFrom(start: string): string[] | null {
  const seen = new Set<string>();
  const walk = (at: string, path: string[]): string[] | null => {
    for (const next of imports.get(at) ?? []) {
      if (next === start) return [...path, next];
      if (seen.has(next)) continue;
      seen.add(next);
      const found = walk(next, [...path, next]);
      if (found) return found;
    }
    return null;
  };
  return walk(start, [start]);
}

describe('pb_hooks/lib imports', () => {
  it.each(modules)('%s is on no import cycle', (module) => {
    expect(cycleFrom(module)).toBeNull();
  });

  it('keeps the low modules free of feature imports', () => {
    for (const low of ['http.ts', 'realtime.ts', 'audit.ts', 'webhooks.ts', 'openapi.ts']) expect(imports.get(low) ?? []).toEqual([]);
    // request-body helpers only
    expect(imports.get('settings.ts')).toEqual(['http.ts']);
    expect(imports.get('threads.ts')).toEqual([]);
    // broadcasts sit on top: nothing imports them
    expect([...imports].filter(([, deps]) => deps.includes('broadcasts.ts')).map(([m]) => m)).toEqual([]);
  });
});
