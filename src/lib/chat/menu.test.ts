import { describe, expect, it } from 'vitest';
import { moveIndex } from './menu';

describe('moveIndex', () => {
  it.each([
    ['down from nothing goes to the first', 'ArrowDown', -1, 0],
    ['down wraps', 'ArrowDown', 2, 0],
    ['up from nothing goes to the last', 'ArrowUp', -1, 2],
    ['up wraps', 'ArrowUp', 0, 2],
    ['Home', 'Home', 1, 0],
    ['End', 'End', 0, 2],
    ['other keys do not move', 'a', 1, null],
  ])('%s', (_name, key, current, want) => {
    expect(moveIndex(key, current, 3)).toBe(want);
  });
});
