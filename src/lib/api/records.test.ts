import { describe, expect, it } from 'vitest';
import { isStale } from './records';

describe('isStale', () => {
  const at = (updated: string) => ({ id: 'x', updated });
  it('keeps the newer copy when an older answer arrives after a realtime event', () => {
    expect(isStale(at('2026-12-01 13:25:12.500Z'), at('2026-12-01 13:25:12.274Z'))).toBe(true);
  });
  it('takes a newer or equally new copy', () => {
    expect(isStale(at('2026-12-01 13:25:12.274Z'), at('2026-12-01 13:25:12.500Z'))).toBe(false);
    expect(isStale(at('2026-12-01 13:25:12.274Z'), at('2026-12-01 13:25:12.274Z'))).toBe(false);
  });
  it('takes anything when there is nothing to compare', () => {
    expect(isStale(undefined, at('2026-12-01 13:25:12.274Z'))).toBe(false);
    expect(isStale({ id: 'x' }, at('2026-12-01 13:25:12.274Z'))).toBe(false);
  });
});
