import { describe, expect, it } from 'vitest';
import { MAX_BODY, Throttle, checkBody, newClientKey, previewOf } from './compose';

describe('checkBody', () => {
  it.each([
    ['an empty text', '', 'Write something before sending.'],
    ['only spaces and new lines', ' \n\t ', 'Write something before sending.'],
    ['a normal text', 'Hi Bob', ''],
    ['exactly the limit', 'x'.repeat(MAX_BODY), ''],
    ['one over the limit', 'x'.repeat(MAX_BODY + 1), 'Messages are limited to 4000 characters; this one has 4001.'],
    ['emoji count as one character each', '😀'.repeat(MAX_BODY), ''],
  ])('%s', (_name, body, want) => {
    expect(checkBody(body)).toBe(want);
  });
});

describe('previewOf', () => {
  it('puts the text on one line and shortens it to 200 characters', () => {
    expect(previewOf('  two\n\nlines  ')).toBe('two lines');
    const long = previewOf('a'.repeat(300));
    expect(Array.from(long)).toHaveLength(200);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('newClientKey', () => {
  it('makes distinct 32-character keys', () => {
    const keys = new Set(Array.from({ length: 100 }, newClientKey));
    expect(keys.size).toBe(100);
    for (const k of keys) expect(k).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('Throttle', () => {
  it('lets one call through per interval, and again after a reset', () => {
    const t = new Throttle(3000);
    expect(t.ready(0)).toBe(true);
    expect(t.ready(2999)).toBe(false);
    expect(t.ready(3000)).toBe(true);
    t.reset();
    expect(t.ready(3001)).toBe(true);
  });
});
