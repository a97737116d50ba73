import { describe, expect, it } from 'vitest';
import { newQueue, sortQueues, timeoutsLine } from './queues';

describe('admin queues', () => {
  it('sorts by name with archived queues last', () => {
    const list = [
      { name: 'support', archived: false },
      { name: 'Old', archived: true },
      { name: 'Sales', archived: false }
    ];
    expect(sortQueues(list).map((q) => q.name)).toEqual(['Sales', 'support', 'Old']);
  });

  it('starts a new queue with the default timeouts', () => {
    expect(newQueue()).toMatchObject({ release_after_s: 600, close_after_s: 86400, waiting_alert_after_s: 300, members: [] });
  });

  it('sums up the timeouts, "never" for 0', () => {
    expect(timeoutsLine({ release_after_s: 600, close_after_s: 86400, waiting_alert_after_s: 0 })).toBe(
      'Release after 10 min · Close after 24 h · Highlight: never'
    );
  });
});
