// The supervisor's own log lines: JSON off a terminal (containers, journald),
// `[appliance] …` for people, LOG_FORMAT to choose.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const logged = (env: Record<string, string>) =>
  execFileSync(process.execPath, ['--input-type=module', '-e', "const { log } = await import('./scripts/lib.mjs'); log('serving at http://x'); log('bridge exited', 'warn');"], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });

describe('log', () => {
  it('writes JSON lines when stdout is not a terminal', () => {
    const lines = logged({ LOG_FORMAT: '' }).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toMatchObject([
      { level: 'info', svc: 'appliance', msg: 'serving at http://x' },
      { level: 'warn', svc: 'appliance', msg: 'bridge exited' },
    ]);
    expect(Date.parse(lines[0].time)).toBeGreaterThan(0);
  });

  it('writes lines for people with LOG_FORMAT=pretty', () => {
    expect(logged({ LOG_FORMAT: 'pretty' })).toBe('[appliance] serving at http://x\n[appliance] bridge exited\n');
  });
});
