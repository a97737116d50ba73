import { describe, expect, it } from 'vitest';
import { prettyLine } from '../src/log.js';

describe('prettyLine', () => {
  it('reads a pino JSON line as time, level, service, message and fields', () => {
    const time = new Date(2026, 11, 1, 9, 5, 7).getTime();
    const line = JSON.stringify({ level: 40, time, pid: 1, hostname: 'box', svc: 'smsc-bridge', link: 'Carrier', reason: 'timeout', msg: 'session ended' });
    expect(prettyLine(line)).toBe('09:05:07 WARN  smsc-bridge session ended link=Carrier reason=timeout');
  });

  it('leaves a line that is not JSON as it is', () => {
    expect(prettyLine('plain text')).toBe('plain text');
  });
});
