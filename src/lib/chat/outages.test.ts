import { describe, expect, it } from 'vitest';
import type { Outage } from '../api/types';
import { outageBanners, outageFor, waitingLabel } from './outages';

const now = new Date('2026-12-01T15:00:00');
const gateway: Outage = {
  link: 'l1', name: 'Gateway', state: 'down', down_since: new Date('2026-12-01T12:03:00').toISOString().replace('T', ' '), waiting: 12,
  numbers: ['+12015550100', '+12015550101'], number_ids: ['n1', 'n2'],
};

describe('outages in words', () => {
  it('a waiting text says which link it waits for and since when', () => {
    expect(waitingLabel(gateway, now, 'en-GB')).toBe("Waiting for the SMSC link 'Gateway' (down since 12:03)");
    expect(waitingLabel({ ...gateway, state: 'disabled', down_since: '' }, now, 'en-GB')).toBe("Waiting for the SMSC link 'Gateway' (switched off)");
  });

  it('finds the outage of a business number, none for a number whose link works', () => {
    expect(outageFor('+12015550101', [gateway])).toBe(gateway);
    expect(outageFor('+12015550199', [gateway])).toBeUndefined();
  });

  it('the banner names only the sender\'s own numbers, and none when they are not affected', () => {
    expect(outageBanners([gateway], ['n2'], 'US', now, 'en-GB')).toEqual([
      "Texts from (201) 555-0101 will wait: the SMSC link 'Gateway' is down since 12:03. They go out when it is back.",
    ]);
    expect(outageBanners([gateway], ['n9'], 'US', now, 'en-GB')).toEqual([]);
  });
});
