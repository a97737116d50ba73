import { describe, expect, it } from 'vitest';
import { linkify } from './linkify';

describe('linkify', () => {
  it.each([
    ['plain text stays one segment', 'no links <b>here</b>', [{ text: 'no links <b>here</b>' }]],
    [
      'a link in a sentence, without the full stop',
      'See https://example.com/a?b=1.',
      [{ text: 'See ' }, { text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' }, { text: '.' }]
    ],
    [
      'balanced parentheses stay in the address',
      'https://en.wikipedia.org/wiki/Bell_(instrument)',
      [{ text: 'https://en.wikipedia.org/wiki/Bell_(instrument)', href: 'https://en.wikipedia.org/wiki/Bell_(instrument)' }]
    ],
    ['only http and https', 'javascript:alert(1) ftp://x', [{ text: 'javascript:alert(1) ftp://x' }]],
  ])('%s', (_name, body, want) => {
    expect(linkify(body)).toEqual(want);
  });
});
