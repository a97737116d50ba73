// SMS segmenting: which encoding a text needs, how many SMS it costs, and
// where a long text is cut into concatenated parts. Shared by the composer
// (live counter), the PocketBase hooks and the bridge (submit_sm parts).

import { firstNonGsm7, gsm7Septets } from './gsm7.js';

/** SmsEncoding is the alphabet a text travels in: GSM 7-bit when every character fits, UCS-2 otherwise. */
export type SmsEncoding = 'GSM-7' | 'UCS-2';

/** SmsOptions tunes segmenting; ref16 reserves room for a 16-bit concatenation reference. */
export interface SmsOptions {
  /** ref16 uses the 7-octet UDH with a 16-bit reference, leaving one unit less per part. */
  ref16?: boolean;
}

/** SmsPlan describes what sending a text costs. */
export interface SmsPlan {
  encoding: SmsEncoding;
  /** segments is the number of SMS; 0 for empty text. */
  segments: number;
  /** units is the length in septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  /** perSegment is the capacity of one segment at this length (160/153/152 or 70/67/66). */
  perSegment: number;
  /** remaining is the room left in the last segment, in units. */
  remaining: number;
  /** reason is, for UCS-2, the first character that forced it (e.g. '😀'). */
  reason?: string;
}

/** SmsSplit is a text cut into the parts that go out as separate SMS. */
export interface SmsSplit {
  encoding: SmsEncoding;
  parts: string[];
}

/** SMS_LIMITS holds the per-segment capacities in units for each encoding. */
export const SMS_LIMITS = {
  'GSM-7': { single: 160, multi8: 153, multi16: 152 },
  'UCS-2': { single: 70, multi8: 67, multi16: 66 },
} as const;

interface Chunk {
  start: number;
  end: number;
  units: number;
}

function encodingOf(text: string): { encoding: SmsEncoding; reason?: string } {
  const bad = firstNonGsm7(text);
  return bad ? { encoding: 'UCS-2', reason: bad.char } : { encoding: 'GSM-7' };
}

// cost of the character at i in units, and how many code units it spans
function costAt(text: string, i: number, encoding: SmsEncoding): { units: number; span: number } {
  if (encoding === 'GSM-7') return { units: gsm7Septets(text[i]), span: 1 };
  const c = text.charCodeAt(i);
  const next = text.charCodeAt(i + 1);
  if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) return { units: 2, span: 2 };
  return { units: 1, span: 1 };
}

// cuts text into chunks of at most limit units without splitting an escape
// pair or a surrogate pair; a chunk may then hold one unit fewer
function chunk(text: string, encoding: SmsEncoding, limit: number): Chunk[] {
  const chunks: Chunk[] = [];
  let start = 0;
  let units = 0;
  for (let i = 0; i < text.length; ) {
    const { units: cost, span } = costAt(text, i, encoding);
    if (units + cost > limit) {
      chunks.push({ start, end: i, units });
      start = i;
      units = 0;
    }
    units += cost;
    i += span;
  }
  if (units > 0) chunks.push({ start, end: text.length, units });
  return chunks;
}

function unitsOf(text: string, encoding: SmsEncoding): number {
  if (encoding === 'UCS-2') return text.length;
  let n = 0;
  for (let i = 0; i < text.length; i++) n += gsm7Septets(text[i]);
  return n;
}

function multiLimit(encoding: SmsEncoding, opts: SmsOptions): number {
  return opts.ref16 ? SMS_LIMITS[encoding].multi16 : SMS_LIMITS[encoding].multi8;
}

/**
 * planSms works out the encoding and cost of text. Empty text gives
 * segments 0 (remaining 160): it is not a sendable SMS and the composer
 * refuses it. Up to 160 septets / 70 UCS-2 units is one SMS; beyond that
 * each part holds 153 / 67 (152 / 66 with opts.ref16), and segments and
 * remaining follow splitSms exactly, so a part shortened to keep an escape
 * or surrogate pair whole is counted as such.
 */
export function planSms(text: string, opts: SmsOptions = {}): SmsPlan {
  const { encoding, reason } = encodingOf(text);
  const units = unitsOf(text, encoding);
  const single = SMS_LIMITS[encoding].single;
  const base = reason === undefined ? {} : { reason };
  if (units <= single) {
    return { encoding, segments: units === 0 ? 0 : 1, units, perSegment: single, remaining: single - units, ...base };
  }
  const perSegment = multiLimit(encoding, opts);
  const chunks = chunk(text, encoding, perSegment);
  const last = chunks[chunks.length - 1];
  return { encoding, segments: chunks.length, units, perSegment, remaining: perSegment - last.units, ...base };
}

/**
 * splitSms cuts text into the parts sent as separate SMS, in the encoding
 * planSms picks. One part when it fits a single SMS, none for empty text.
 * Parts never split a GSM escape pair or a UTF-16 surrogate pair; grapheme
 * clusters (flags, ZWJ emoji) may still be cut, which reassembly on the
 * handset hides.
 */
export function splitSms(text: string, opts: SmsOptions = {}): SmsSplit {
  const { encoding } = encodingOf(text);
  if (text === '') return { encoding, parts: [] };
  if (unitsOf(text, encoding) <= SMS_LIMITS[encoding].single) return { encoding, parts: [text] };
  const parts = chunk(text, encoding, multiLimit(encoding, opts)).map((c) => text.slice(c.start, c.end));
  return { encoding, parts };
}

// characters that would be invisible or misleading on their own in the UI
function isInvisible(cp: number): boolean {
  return (
    cp < 0x21 ||
    (cp >= 0x7f && cp <= 0xa0) ||
    cp === 0xad ||
    (cp >= 0x300 && cp <= 0x36f) ||
    cp === 0x180e ||
    (cp >= 0x2000 && cp <= 0x200f) ||
    (cp >= 0x2028 && cp <= 0x202f) ||
    (cp >= 0x205f && cp <= 0x206f) ||
    cp === 0x3000 ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    cp === 0xfeff
  );
}

/**
 * describePlan renders a plan for the composer, e.g. "2 SMS · GSM-7 · 41 left"
 * or "1 SMS · UCS-2 because of 😀 · 68 left". An invisible culprit (no-break
 * space, zero-width joiner, soft hyphen…) is shown as its code point, e.g.
 * "because of U+00A0", since that is usually what pasted text smuggles in.
 */
export function describePlan(plan: SmsPlan): string {
  let encoding: string = plan.encoding;
  if (plan.reason !== undefined) {
    const cp = plan.reason.codePointAt(0) ?? 0;
    const shown = isInvisible(cp) ? `U+${cp.toString(16).toUpperCase().padStart(4, '0')}` : plan.reason;
    encoding += ` because of ${shown}`;
  }
  return `${plan.segments} SMS · ${encoding} · ${plan.remaining} left`;
}

/** MAX_SEGMENTS is the most SMS parts one message may cost per recipient. */
export const MAX_SEGMENTS = 10;

/** checkSegments returns the sentence refusing a text that costs more than MAX_SEGMENTS parts, or '' when it may go. */
export function checkSegments(plan: SmsPlan): string {
  if (plan.segments <= MAX_SEGMENTS) return '';
  return `This text would be sent as ${plan.segments} SMS (${plan.encoding}); the limit is ${MAX_SEGMENTS}. Shorten it.`;
}
