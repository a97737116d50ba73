// The user data header (3GPP TS 23.040 §9.2.3.24) as far as concatenation
// needs it: building the 8-bit and 16-bit reference headers, parsing any
// header defensively, and turning a text into submit_sm short_message parts.

import { encodeGsm7 } from '../../../src/lib/domain/gsm7.js';
import { splitSms } from '../../../src/lib/domain/segments.js';
import { encodeUcs2 } from './ucs2.js';

/** IEI_CONCAT_8 is the information element for concatenation with an 8-bit reference. */
export const IEI_CONCAT_8 = 0x00;
/** IEI_CONCAT_16 is the information element for concatenation with a 16-bit reference. */
export const IEI_CONCAT_16 = 0x08;
/** ESM_CLASS_UDHI is the esm_class bit saying short_message starts with a UDH. */
export const ESM_CLASS_UDHI = 0x40;

/** ConcatInfo locates one part of a concatenated message. */
export interface ConcatInfo {
  ref: number;
  total: number;
  /** seq is 1-based. */
  seq: number;
  ref16: boolean;
}

/** UdhElement is one information element: its identifier and raw data. */
export interface UdhElement {
  iei: number;
  data: Uint8Array;
}

/** UdhParse is the outcome of parseUdh: the header, or why it is unusable. */
export type UdhParse =
  | {
      ok: true;
      /** headerLength is the UDH size in octets including the length octet; text starts there. */
      headerLength: number;
      concat?: ConcatInfo;
      ies: UdhElement[];
    }
  | { ok: false; error: string };

function checkInt(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer ${min}..${max}, got ${value}`);
  }
}

/**
 * buildConcatUdh builds a concatenation UDH: `05 00 03 ref total seq`, or
 * with ref16 `06 08 04 refHi refLo total seq`. seq is 1-based. Throws
 * RangeError when a value does not fit its field or seq exceeds total.
 */
export function buildConcatUdh(ref: number, total: number, seq: number, ref16 = false): Uint8Array {
  checkInt('ref', ref, 0, ref16 ? 0xffff : 0xff);
  checkInt('total', total, 1, 0xff);
  checkInt('seq', seq, 1, total);
  if (ref16) return Uint8Array.of(0x06, IEI_CONCAT_16, 0x04, ref >> 8, ref & 0xff, total, seq);
  return Uint8Array.of(0x05, IEI_CONCAT_8, 0x03, ref, total, seq);
}

// per 23.040 a concatenation IE with total 0 or seq outside 1..total is ignored
function readConcat(iei: number, d: Uint8Array): ConcatInfo | undefined {
  let info: ConcatInfo | undefined;
  if (iei === IEI_CONCAT_8 && d.length === 3) info = { ref: d[0], total: d[1], seq: d[2], ref16: false };
  if (iei === IEI_CONCAT_16 && d.length === 4) info = { ref: (d[0] << 8) | d[1], total: d[2], seq: d[3], ref16: true };
  if (!info || info.total === 0 || info.seq === 0 || info.seq > info.total) return undefined;
  return info;
}

/**
 * parseUdh parses the UDH at the start of a short_message (call it when
 * esm_class has UDHI). It never throws: an empty message, a header longer
 * than the message, or an element running past the header gives
 * `{ok: false, error}`. A concatenation element that 23.040 says to ignore
 * (wrong length, total 0, seq outside 1..total) stays in ies but sets no
 * concat; when several appear the last one counts, as 23.040 prescribes.
 */
export function parseUdh(bytes: Uint8Array): UdhParse {
  if (bytes.length === 0) return { ok: false, error: 'empty short_message, no UDH length' };
  const end = 1 + bytes[0];
  if (end > bytes.length) {
    return { ok: false, error: `UDH length ${bytes[0]} exceeds the ${bytes.length - 1} octets after it` };
  }
  const ies: UdhElement[] = [];
  let concat: ConcatInfo | undefined;
  for (let i = 1; i < end; ) {
    if (i + 2 > end) return { ok: false, error: `truncated element header at octet ${i}` };
    const iei = bytes[i];
    const len = bytes[i + 1];
    if (i + 2 + len > end) {
      return { ok: false, error: `element 0x${iei.toString(16).padStart(2, '0')} at octet ${i} overruns the header by ${i + 2 + len - end}` };
    }
    const data = bytes.slice(i + 2, i + 2 + len);
    ies.push({ iei, data });
    if (iei === IEI_CONCAT_8 || iei === IEI_CONCAT_16) concat = readConcat(iei, data) ?? concat;
    i += 2 + len;
  }
  return concat ? { ok: true, headerLength: end, concat, ies } : { ok: true, headerLength: end, ies };
}

/** SubmitOptions chooses the concatenation reference for a multipart text. */
export interface SubmitOptions {
  /** ref is the concatenation reference, 0..255 (0..65535 with ref16); the caller keeps the counter. */
  ref: number;
  ref16?: boolean;
}

/** SubmitParts is what submit_sm needs for each part of a text. */
export interface SubmitParts {
  /** dataCoding is 0x00 (GSM 7-bit, unpacked) or 0x08 (UCS-2); always set it explicitly. */
  dataCoding: 0 | 8;
  /** parts are the short_message octets, UDH included when there is more than one. */
  parts: Uint8Array[];
  /** esmClassUdhi says to OR ESM_CLASS_UDHI into esm_class. */
  esmClassUdhi: boolean;
}

/**
 * splitForSubmit turns text into submit_sm short_message octets, split by
 * splitSms: GSM 7-bit unpacked with data_coding 0x00, otherwise UCS-2 with
 * 0x08. A single part carries no UDH; several parts each start with the
 * concatenation UDH built from opts. Throws on empty text (there is nothing
 * to send and a silent no-op would look like success), on more than 255
 * parts, and on a ref outside its range.
 */
export function splitForSubmit(text: string, opts: SubmitOptions): SubmitParts {
  const ref16 = opts.ref16 === true;
  checkInt('ref', opts.ref, 0, ref16 ? 0xffff : 0xff);
  if (text === '') throw new RangeError('empty text: nothing to submit');
  const { encoding, parts } = splitSms(text, { ref16 });
  if (parts.length > 0xff) throw new RangeError(`text needs ${parts.length} parts; a UDH can number at most 255`);
  const encode = encoding === 'GSM-7' ? encodeGsm7 : encodeUcs2;
  const dataCoding = encoding === 'GSM-7' ? 0 : 8;
  if (parts.length === 1) return { dataCoding, parts: [encode(parts[0])], esmClassUdhi: false };
  const out = parts.map((part, i) => {
    const udh = buildConcatUdh(opts.ref, parts.length, i + 1, ref16);
    const body = encode(part);
    const sm = new Uint8Array(udh.length + body.length);
    sm.set(udh);
    sm.set(body, udh.length);
    return sm;
  });
  return { dataCoding, parts: out, esmClassUdhi: true };
}
