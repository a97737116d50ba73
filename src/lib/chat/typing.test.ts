import { describe, expect, it } from 'vitest';
import { TYPING_TTL_MS, clearConversation, clearTypist, nextExpiry, noteTyping, pruneTyping, typingText } from './typing';

describe('typing', () => {
  it('shows a signal for a few seconds; a new signal extends it', () => {
    let map = noteTyping({}, 'c1', 'bob', 'Bob', 1000);
    expect(typingText(map.c1)).toBe('Bob is typing…');
    map = noteTyping(map, 'c1', 'bob', 'Bob', 4000);
    expect(map.c1).toHaveLength(1);
    expect(nextExpiry(map)).toBe(4000 + TYPING_TTL_MS);
    expect(pruneTyping(map, 1000 + TYPING_TTL_MS)).toBe(map);
    expect(pruneTyping(map, 4000 + TYPING_TTL_MS)).toEqual({});
  });

  it("ends someone's indicator when their message arrives, leaving the others", () => {
    let map = noteTyping(noteTyping({}, 'c1', 'bob', 'Bob', 0), 'c1', 'carol', 'Carol', 0);
    expect(typingText(map.c1)).toBe('Bob and Carol are typing…');
    map = clearTypist(map, 'c1', 'bob');
    expect(typingText(map.c1)).toBe('Carol is typing…');
    expect(clearTypist(map, 'c1', 'nobody')).toBe(map);
    expect(clearConversation(map, 'c1')).toEqual({});
  });

  it('says several when more than three type', () => {
    let map = {};
    for (const u of ['a', 'b', 'c', 'd']) map = noteTyping(map, 'c', u, u, 0);
    expect(typingText((map as Record<string, never>).c)).toBe('Several people are typing…');
    expect(typingText(undefined)).toBe('');
  });
});
