// Message search: what a person types into the search box, parsed into
// terms, turned into an SQLite FTS5 query string we build ourselves (user
// text never reaches MATCH as syntax), and the same terms used to highlight
// matching words in a result. One implementation for the hooks and the UI.
//
// Words are folded the way the index's tokenizer (unicode61,
// remove_diacritics 2) folds them: case and accents ignored, anything that is
// not a letter or a digit (punctuation, emoji) separates words.

/** MAX_QUERY is the longest query we read, in characters. */
export const MAX_QUERY = 200;
const MAX_TERMS = 12;

/** SearchTerm is one thing every result must contain: a word (prefix: or a word starting so) or a phrase of words in order. */
export interface SearchTerm {
  /** folded words; more than one for a phrase */
  words: string[];
  /** the last word may be the start of a longer one */
  prefix: boolean;
}

export type ParsedQuery = { ok: true; terms: SearchTerm[]; fts: string } | { ok: false; error: string };

// FTS5's own operator words: a query made of nothing else is refused
const OPERATORS = new Set(['AND', 'OR', 'NOT', 'NEAR']);

/** isOperator reports whether a token is one of FTS5's operator words (in capitals), with any punctuation around it. */
function isOperator(token: string): boolean {
  return OPERATORS.has(token.replace(/[^A-Za-z0-9]/g, ''));
}

// What separates words: ASCII and Latin-1 punctuation and symbols, general
// punctuation, arrows, maths, technical and box drawing, dingbats, CJK and
// full-width punctuation, variation selectors, and everything outside the
// Basic Multilingual Plane (emoji). Written as ranges, not \p{…} classes,
// because PocketBase's JavaScript engine (goja) does not read those.
const SEPARATOR =
  '\\u0000-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u00A9\\u00AB-\\u00B4\\u00B6-\\u00B9\\u00BB-\\u00BF\\u00D7\\u00F7' +
  '\\u2000-\\u2BFF\\u2E00-\\u2E7F\\u3000-\\u3004\\u3008-\\u3020\\u3030\\uD800-\\uDFFF\\uFE00-\\uFE6F\\uFEFF' +
  '\\uFF00-\\uFF0F\\uFF1A-\\uFF20\\uFF3B-\\uFF40\\uFF5B-\\uFF65';
const WORDS = new RegExp(`[^${SEPARATOR}]+`, 'g');
// combining accents on a Latin letter, once it is decomposed (é → e + U+0301):
// the index's remove_diacritics folds Latin script only (Greek and Cyrillic
// keep theirs: ά is not α)
const LATIN_ACCENTS = /([A-Za-z\u00C0-\u024F\u1E00-\u1EFF])[\u0300-\u036F]+/g;

/** foldWord lowercases a word and removes the accents of Latin letters (é → e, ß stays), as the index does. */
export function foldWord(word: string): string {
  return word.normalize('NFD').replace(LATIN_ACCENTS, '$1').normalize('NFC').toLowerCase();
}

/** wordsOf splits text into folded words: what lies between separators (punctuation, symbols, emoji). */
export function wordsOf(text: string): string[] {
  return foldWord(text).match(WORDS) ?? [];
}

/**
 * parseQuery reads a search: words (each a required term), "quoted phrases",
 * and `word*` for a prefix. The last bare word is also a prefix, so results
 * follow the typing ("inv" finds "invoice"); a one-letter word is matched
 * whole. Punctuation, emoji and operator words (AND, OR, NOT, NEAR) are
 * ignored; a query with nothing else is refused in words.
 */
export function parseQuery(input: string): ParsedQuery {
  const raw = input.slice(0, MAX_QUERY);
  const terms: SearchTerm[] = [];
  // quoted phrases (an unclosed quote runs to the end), else runs of non-space
  const re = /"([^"]*)"?(\*)?|([^\s"]+)/g;
  let lastBare = -1;
  for (let m = re.exec(raw); m; m = re.exec(raw)) {
    if (m[1] !== undefined) {
      // quotes around operator words alone ('" AND "') have nothing to search for; "do NOT call" is a phrase
      const tokens = m[1].split(/\s+/).filter(Boolean);
      const words = tokens.every(isOperator) ? [] : wordsOf(m[1]);
      if (words.length) terms.push({ words, prefix: m[2] === '*' });
      continue;
    }
    const token = m[3];
    if (isOperator(token)) continue;
    const star = /\*$/.test(token);
    // "e-mail", "o'clock", "3.5": several words that must follow each other
    const words = wordsOf(token);
    if (!words.length) continue;
    terms.push({ words, prefix: star });
    if (!star) lastBare = terms.length - 1;
  }
  if (!terms.length) return { ok: false, error: 'Type a word to search for: punctuation and operators alone find nothing.' };
  const last = terms[terms.length - 1];
  if (lastBare === terms.length - 1 && !/\s$/.test(raw) && Array.from(last.words[last.words.length - 1]).length > 1) last.prefix = true;
  const kept = dedupe(terms).slice(0, MAX_TERMS);
  return { ok: true, terms: kept, fts: ftsQuery(kept) };
}

function dedupe(terms: SearchTerm[]): SearchTerm[] {
  const seen = new Set<string>();
  return terms.filter((t) => {
    const key = t.words.join(' ') + (t.prefix ? '*' : '');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * ftsQuery writes terms as an FTS5 query: each term a double-quoted string
 * (a phrase when it has several words), `*` after it for a prefix, all of
 * them required. Words hold letters and digits only, so no quote, bracket
 * or operator can come from the user.
 */
export function ftsQuery(terms: readonly SearchTerm[]): string {
  return terms.map((t) => `"${t.words.join(' ').replace(/"/g, '""')}"${t.prefix ? '*' : ''}`).join(' ');
}

/** TextPart is a stretch of a message: `hit` when it is a word the search matched. */
export interface TextPart {
  text: string;
  hit: boolean;
}

/** isHit reports whether a folded word matches one of the terms' words (the last word of a prefix term by its start). */
function isHit(word: string, terms: readonly SearchTerm[]): boolean {
  return terms.some((t) =>
    t.words.some((w, i) => (t.prefix && i === t.words.length - 1 ? word.startsWith(w) : word === w))
  );
}

/**
 * highlightParts cuts text into plain and matching stretches, for the UI to
 * render as text nodes (never as HTML). A phrase's words are marked wherever
 * they occur; the index decided the phrase is there.
 */
export function highlightParts(text: string, terms: readonly SearchTerm[]): TextPart[] {
  const parts: TextPart[] = [];
  let at = 0;
  // words with their marks, so that "José" is cut where it stands in the original
  for (const m of text.matchAll(WORDS)) {
    const start = m.index ?? 0;
    if (!isHit(foldWord(m[0]), terms)) continue;
    if (start > at) parts.push({ text: text.slice(at, start), hit: false });
    parts.push({ text: m[0], hit: true });
    at = start + m[0].length;
  }
  if (at < text.length) parts.push({ text: text.slice(at), hit: false });
  return parts;
}

/**
 * snippetParts is highlightParts of a window of about `max` characters
 * around the first match, with "…" where text was cut and line breaks
 * flattened, for a one-line result.
 */
export function snippetParts(text: string, terms: readonly SearchTerm[], max = 140): TextPart[] {
  const flat = text.replace(/\s+/g, ' ').trim();
  const parts = highlightParts(flat, terms);
  if (flat.length <= max) return parts;
  let offset = 0;
  let first = 0;
  for (const p of parts) {
    if (p.hit) {
      first = offset;
      break;
    }
    offset += p.text.length;
  }
  let start = Math.max(0, first - Math.floor(max / 3));
  // start at a word boundary
  if (start > 0) {
    const space = flat.lastIndexOf(' ', start);
    start = space >= 0 && first - space < max / 2 ? space + 1 : start;
  }
  start = whole(flat, start);
  const end = whole(flat, Math.min(flat.length, start + max));
  const out: TextPart[] = [];
  if (start > 0) out.push({ text: '…', hit: false });
  let pos = 0;
  for (const p of parts) {
    const a = Math.max(pos, start);
    const b = Math.min(pos + p.text.length, end);
    if (b > a) out.push({ text: p.text.slice(a - pos, b - pos), hit: p.hit });
    pos += p.text.length;
  }
  if (end < flat.length) out.push({ text: '…', hit: false });
  return out;
}

/** whole moves a cut off the second half of a surrogate pair, so an emoji is never split. */
function whole(text: string, at: number): number {
  const code = text.charCodeAt(at);
  return at > 0 && at < text.length && code >= 0xdc00 && code <= 0xdfff ? at - 1 : at;
}
