// deploy/systemd/appliance.service as systemd itself reads it: the unit is
// valid, runs as its own user with a state dir and an owner-only umask, and
// its hardening scores "OK" (exposure under 4) in `systemd-analyze security`.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const unit = resolve(import.meta.dirname, '..', '..', 'deploy', 'systemd', 'appliance.service');
const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

describe.skipIf(!hasSystemdAnalyze)('deploy/systemd/appliance.service', () => {
  it('passes systemd-analyze verify', () => {
    const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr.trim()).toBe('');
  });

  it('scores OK (under 4) in systemd-analyze security --offline', () => {
    const out = execFileSync('systemd-analyze', ['security', '--offline=yes', '--no-pager', unit], { encoding: 'utf8' });
    const m = out.match(/Overall exposure level for appliance\.service: ([\d.]+) (\w+)/);
    expect(m, out).toBeTruthy();
    expect(Number(m![1])).toBeLessThan(4);
    expect(m![2]).toBe('OK');
  });

  it('runs as a dedicated user, keeps data in its state dir owner-only, and lets the supervisor stop its children', () => {
    const text = readFileSync(unit, 'utf8');
    const set = (key: string) => text.match(new RegExp(`^${key}=(.*)$`, 'm'))?.[1];
    expect(set('User')).toBe('appliance');
    expect(set('StateDirectory')).toBe('appliance');
    expect(set('UMask')).toBe('0077');
    expect(set('Environment')).toContain('PB_DATA=/var/lib/appliance');
    expect(set('Environment')).toContain('APPLIANCE_PREBUILT=1');
    expect(set('KillMode')).toBe('mixed');
    expect(Number(set('TimeoutStopSec'))).toBeGreaterThanOrEqual(30);
    expect(join('/opt/appliance')).toBe(set('WorkingDirectory'));
  });
});
