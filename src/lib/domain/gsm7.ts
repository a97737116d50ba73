// GSM 03.38 / 3GPP TS 23.038 default alphabet: the basic table, the
// extension table reached through escape 0x1B, and the packed (7-bit) form.
// Pure and dependency-free: it runs in the browser, in Node and in
// PocketBase's goja VM, so no Buffer and no TextEncoder.

/** GSM7_ESCAPE is the septet that switches to the extension table. */
export const GSM7_ESCAPE = 0x1b;

// index = septet value; 0x1B holds a placeholder because it is the escape
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅå' +
  'Δ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ' +
  ' !"#¤%&\'()*+,-./' +
  '0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNO' +
  'PQRSTUVWXYZÄÖÑÜ§' +
  '¿abcdefghijklmno' +
  'pqrstuvwxyzäöñüà';

const EXTENSION: ReadonlyArray<[string, number]> = [
  ['\f', 0x0a],
  ['^', 0x14],
  ['{', 0x28],
  ['}', 0x29],
  ['\\', 0x2f],
  ['[', 0x3c],
  ['~', 0x3d],
  [']', 0x3e],
  ['|', 0x40],
  ['€', 0x65],
];

const BASIC_CODE = new Map<string, number>();
for (let i = 0; i < BASIC.length; i++) {
  if (i !== GSM7_ESCAPE) BASIC_CODE.set(BASIC[i], i);
}
const EXTENSION_CODE = new Map<string, number>(EXTENSION);
const EXTENSION_CHAR = new Map<number, string>(EXTENSION.map(([c, s]) => [s, c]));

/** Gsm7EncodeError is thrown when text holds a character outside the GSM 7-bit alphabet. */
export class Gsm7EncodeError extends Error {
  /** char is the offending character (a whole code point, e.g. '😀'). */
  readonly char: string;
  /** index is the character's position in the string, in UTF-16 code units. */
  readonly index: number;

  constructor(char: string, index: number) {
    super(`character ${JSON.stringify(char)} (U+${codePointHex(char)}) at index ${index} is not in the GSM 7-bit alphabet`);
    this.name = 'Gsm7EncodeError';
    this.char = char;
    this.index = index;
  }
}

function codePointHex(char: string): string {
  return (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
}

/** gsm7Septets returns how many septets one UTF-16 code unit costs: 1, 2 (escape pair), or 0 when it cannot be encoded. */
export function gsm7Septets(char: string): 0 | 1 | 2 {
  if (BASIC_CODE.has(char)) return 1;
  if (EXTENSION_CODE.has(char)) return 2;
  return 0;
}

/**
 * firstNonGsm7 returns the first character of text that the GSM 7-bit
 * alphabet cannot carry, with its UTF-16 index, or null when there is none.
 * A surrogate pair is returned whole so callers can show the emoji itself.
 */
export function firstNonGsm7(text: string): { char: string; index: number } | null {
  for (let i = 0; i < text.length; i++) {
    if (gsm7Septets(text[i]) !== 0) continue;
    const cp = text.codePointAt(i) ?? 0;
    return { char: String.fromCodePoint(cp), index: i };
  }
  return null;
}

/** isGsm7 reports whether every character of text is in the GSM 7-bit basic or extension table. */
export function isGsm7(text: string): boolean {
  return firstNonGsm7(text) === null;
}

/**
 * gsm7Length returns the length of text in septets, counting each
 * extension-table character (^{}\[~]|€ and form feed) as two.
 * Throws Gsm7EncodeError when text is not GSM 7-bit.
 */
export function gsm7Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const cost = gsm7Septets(text[i]);
    if (cost === 0) throw encodeErrorAt(text, i);
    n += cost;
  }
  return n;
}

function encodeErrorAt(text: string, index: number): Gsm7EncodeError {
  return new Gsm7EncodeError(String.fromCodePoint(text.codePointAt(index) ?? 0), index);
}

/**
 * encodeGsm7 encodes text as unpacked septets, one per byte, with escape
 * pairs for extension characters. It never substitutes: a character outside
 * the alphabet throws Gsm7EncodeError naming it and its index.
 */
export function encodeGsm7(text: string): Uint8Array {
  const out = new Uint8Array(gsm7Length(text));
  let j = 0;
  for (let i = 0; i < text.length; i++) {
    const basic = BASIC_CODE.get(text[i]);
    if (basic !== undefined) {
      out[j++] = basic;
      continue;
    }
    out[j++] = GSM7_ESCAPE;
    out[j++] = EXTENSION_CODE.get(text[i]) as number;
  }
  return out;
}

/**
 * decodeGsm7 decodes unpacked septets (one per byte) to text. Following
 * 23.038: an escape before a code the extension table does not define
 * yields the basic-table character; escape-escape (reserved for a further
 * table) and a lone trailing escape both yield a space. The top bit of each
 * byte is ignored, since some SMSCs leave it set on unpacked data.
 */
export function decodeGsm7(bytes: ArrayLike<number>): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const s = bytes[i] & 0x7f;
    if (s !== GSM7_ESCAPE) {
      out += BASIC[s];
      continue;
    }
    if (i + 1 >= bytes.length) {
      out += ' ';
      break;
    }
    const e = bytes[++i] & 0x7f;
    if (e === GSM7_ESCAPE) out += ' ';
    else out += EXTENSION_CHAR.get(e) ?? BASIC[e];
  }
  return out;
}

function checkPadding(paddingBits: number): void {
  if (!Number.isInteger(paddingBits) || paddingBits < 0 || paddingBits > 6) {
    throw new RangeError(`paddingBits must be an integer 0..6, got ${paddingBits}`);
  }
}

/**
 * packGsm7 packs septets into octets, least significant bit first. The
 * paddingBits zero fill bits come first, so that text following a UDH starts
 * on a septet boundary (6-octet UDH → 1 fill bit, 7-octet → 0).
 * Throws RangeError on a value above 0x7F or a padding outside 0..6.
 */
export function packGsm7(septets: ArrayLike<number>, paddingBits = 0): Uint8Array {
  checkPadding(paddingBits);
  const out = new Uint8Array(Math.ceil((paddingBits + septets.length * 7) / 8));
  for (let i = 0; i < septets.length; i++) {
    const s = septets[i];
    if (!Number.isInteger(s) || s < 0 || s > 0x7f) {
      throw new RangeError(`septet ${i} is ${s}, not 0..127`);
    }
    const bit = paddingBits + i * 7;
    const octet = bit >> 3;
    const shift = bit & 7;
    out[octet] |= (s << shift) & 0xff;
    // a septet starting at bit 2 or later spills into the next octet
    if (shift > 1) out[octet + 1] |= s >> (8 - shift);
  }
  return out;
}

/**
 * unpackGsm7 unpacks packed octets to septets (one per byte), skipping
 * paddingBits fill bits first. When septetCount is omitted it is derived
 * from the octet count; SMPP's sm_length counts octets, so a sender with 7
 * spare bits in its last octet then shows up as one extra 0x00 ('@') —
 * pass the count when you know it. A count beyond the data is clamped.
 */
export function unpackGsm7(bytes: ArrayLike<number>, septetCount?: number, paddingBits = 0): Uint8Array {
  checkPadding(paddingBits);
  const available = Math.max(0, Math.floor((bytes.length * 8 - paddingBits) / 7));
  const count = septetCount === undefined ? available : Math.max(0, Math.min(Math.floor(septetCount), available));
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const bit = paddingBits + i * 7;
    const octet = bit >> 3;
    const shift = bit & 7;
    let v = bytes[octet] >> shift;
    if (shift > 1) v |= bytes[octet + 1] << (8 - shift);
    out[i] = v & 0x7f;
  }
  return out;
}
