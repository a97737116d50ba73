// Invisible characters in what people type: zero-width characters and the
// bidirectional controls that can make a name or a title read backwards
// (and so imitate a system line or another sender's SMS prefix). Used by
// the hooks (the last word) and the UI (the same sentence before sending).

// bidi embeddings, overrides and isolates, and the direction marks
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
// characters that take no space: zero-width space, joiners, word joiner,
// invisible operators, byte-order mark, soft hyphen, Mongolian vowel separator
const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\u061C\uFEFF]/g;

/** hasVisibleText reports whether a text shows anything once whitespace and invisible characters are set aside. */
export function hasVisibleText(text: string): boolean {
  return text.replace(INVISIBLE, '').trim() !== '';
}

/**
 * cleanLabel is a one-line name or title as it is stored: direction controls
 * and zero-width spaces removed (joiners stay, emoji sequences need them),
 * whitespace runs made one space, trimmed. '' when nothing visible is left.
 */
export function cleanLabel(raw: string): string {
  const text = raw
    .replace(BIDI_CONTROLS, '')
    .replace(/[\u00AD\u180E\u200B\u2060-\u2064\uFEFF]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return hasVisibleText(text) ? text : '';
}
