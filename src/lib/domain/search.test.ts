import { describe, expect, it } from 'vitest';
import { foldWord, highlightParts, parseQuery, snippetParts, wordsOf, type SearchTerm } from './search';

function fts(q: string): string {
  const r = parseQuery(q);
  if (!r.ok) throw new Error(r.error);
  return r.fts;
}

describe('parseQuery', () => {
  it.each([
    ['invoice', '"invoice"*'],
    ['invoice ', '"invoice"'],
    ['the invoice', '"the" "invoice"*'],
    ['Crème Brûlée', '"creme" "brulee"*'],
    ['"last week" invoice', '"last week" "invoice"*'],
    ['invoice "last week"', '"invoice" "last week"'],
    ['"last week"*', '"last week"*'],
    ['inv* paid', '"inv"* "paid"*'],
    ['a', '"a"'],
    ['"do NOT call"', '"do not call"'],
    ['e-mail', '"e mail"*'],
    ['"unclosed phrase', '"unclosed phrase"'],
    ['invoice 🎉', '"invoice"*'],
    ['🎉 invoice', '"invoice"*'],
    ['NOT paid', '"paid"*'],
    ['not paid', '"not" "paid"*'],
    ['paid paid ', '"paid"'],
    ['ΚΑΛΗΜΈΡΑ', '"καλημέρα"*'],
    ['ПРИВЕТ', '"привет"*'],
    ['東京', '"東京"*'],
  ])('%j → %s', (q, expected) => {
    expect(fts(q)).toBe(expected);
  });

  it.each(['', '   ', '""', '"', '***', '" "', 'AND OR NOT', 'NEAR(', '(((', '🎉🎉', '-:^+', '"*"', '(NOT)', '" AND "', '"OR" "NEAR"'])(
    'refuses %j, which has no word, with a sentence',
    (q) => {
      const r = parseQuery(q);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/Type a word/);
    }
  );

  it('never lets syntax through: every term is a quoted run of letters and digits', () => {
    const nasty = ['a" OR "b', 'x NEAR(y z)', 'col:word', '^start', 'a AND -b', 'x"*"y', "it's", 'a+b', '{a b}:c'];
    for (const q of nasty) {
      const r = parseQuery(q);
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.fts).toMatch(/^("[\p{L}\p{N} ]+"\*? ?)+$/u);
    }
  });

  it('keeps at most 12 terms and reads at most 200 characters', () => {
    const r = parseQuery(Array.from({ length: 30 }, (_, i) => `w${i}`).join(' '));
    expect(r.ok && r.terms.length).toBe(12);
    const long = parseQuery('x'.repeat(500));
    expect(long.ok && long.terms[0].words[0].length).toBe(200);
  });
});

describe('folding', () => {
  it('ignores case and accents as the index does', () => {
    expect(foldWord('ÉCOLE')).toBe('ecole');
    expect(foldWord('naïve')).toBe('naive');
    expect(wordsOf("José's café, 10:30!")).toEqual(['jose', 's', 'cafe', '10', '30']);
  });
});

describe('highlightParts', () => {
  const terms = (q: string): SearchTerm[] => {
    const r = parseQuery(q);
    if (!r.ok) throw new Error(r.error);
    return r.terms;
  };

  it('marks matching words in the original spelling, prefixes by their start', () => {
    expect(highlightParts('The Invoices from José are paid', terms('jose invoice'))).toEqual([
      { text: 'The ', hit: false },
      { text: 'Invoices', hit: true },
      { text: ' from ', hit: false },
      { text: 'José', hit: true },
      { text: ' are paid', hit: false }
    ]);
  });

  it('does not mark a word that only starts like an exact term', () => {
    expect(highlightParts('pay payment', terms('pay ')).filter((p) => p.hit).map((p) => p.text)).toEqual(['pay']);
  });

  it('keeps markup as text: nothing is interpreted', () => {
    const parts = highlightParts('<img src=x onerror=alert(1)> invoice', terms('invoice'));
    expect(parts.map((p) => p.text).join('')).toBe('<img src=x onerror=alert(1)> invoice');
    expect(parts.filter((p) => p.hit).map((p) => p.text)).toEqual(['invoice']);
  });

  it('leaves emoji whole', () => {
    expect(highlightParts('🎉invoice🎉', terms('invoice'))).toEqual([
      { text: '🎉', hit: false },
      { text: 'invoice', hit: true },
      { text: '🎉', hit: false }
    ]);
  });
});

describe('snippetParts', () => {
  it('shows a window around the first match with ellipses', () => {
    const text = 'word '.repeat(60) + 'the invoice is late ' + 'tail '.repeat(60);
    const parts = snippetParts(text, parseQuery('invoice').ok ? (parseQuery('invoice') as { terms: SearchTerm[] }).terms : [], 80);
    const joined = parts.map((p) => p.text).join('');
    expect(joined.startsWith('…')).toBe(true);
    expect(joined.endsWith('…')).toBe(true);
    expect(joined).toContain('the invoice is late');
    expect(parts.find((p) => p.hit)?.text).toBe('invoice');
  });

  it('never cuts an emoji in half', () => {
    const text = '😀'.repeat(100) + ' invoice';
    const parts = snippetParts(text, (parseQuery('invoice') as { terms: SearchTerm[] }).terms, 21);
    expect(parts.map((p) => p.text).join('')).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });
});
