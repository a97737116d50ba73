// The data_coding octet: SMPP 3.4's own values for 0x00..0x0F and the
// 3GPP TS 23.038 coding groups above them, and decoding a short_message by
// it. node-smpp decodes by `data_coding & 0x0F`, which gets class and
// message-waiting groups wrong, so inbound text is decoded here instead.

import { decodeGsm7, unpackGsm7 } from '../../../src/lib/domain/gsm7.js';
import { decodeUcs2 } from './ucs2.js';

/** Alphabet is how the octets of a short_message are to be read. */
export type Alphabet = 'GSM7' | '8BIT' | 'UCS2' | 'IA5' | 'LATIN1';

/** DcsGroup names the coding group a data_coding value falls in. */
export type DcsGroup =
  | 'smpp' // 0x00..0x0F, SMPP 3.4 table
  | 'general' // 00xx, 23.038 general data coding
  | 'auto-delete' // 01xx, same layout, message marked for automatic deletion
  | 'reserved' // 1000..1011, read as GSM 7-bit per 23.038
  | 'mwi-discard' // 1100, message waiting indication, discard message
  | 'mwi-store' // 1101 (GSM 7-bit) and 1110 (UCS2), store message
  | 'class'; // 1111, data coding / message class

/** DataCoding is the meaning of one data_coding value. */
export interface DataCoding {
  alphabet: Alphabet;
  /** messageClass is 0 (flash), 1 (ME), 2 (SIM) or 3 (TE), when the value carries one. */
  messageClass?: 0 | 1 | 2 | 3;
  /** compressed is true when 23.038 compression is signalled; the octets are then not text. */
  compressed: boolean;
  group: DcsGroup;
  /** charset names an SMPP character set this codec does not decode (e.g. 'ISO-8859-5'); alphabet is then '8BIT'. */
  charset?: string;
  /** indication is set for the message waiting groups. */
  indication?: { active: boolean; kind: 'voicemail' | 'fax' | 'email' | 'other' };
}

/** DataCodingOptions carries per-link quirks. */
export interface DataCodingOptions {
  /** defaultAlphabet is what "SMSC default" (0x00) means on this link: GSM7 unless the SMSC says otherwise; some mean IA5/ASCII or Latin-1. */
  defaultAlphabet?: 'GSM7' | 'IA5' | 'LATIN1';
}

/** DecodeOptions adds how the octets are laid out. */
export interface DecodeOptions extends DataCodingOptions {
  /** packed reads GSM 7-bit as packed septets; SMPP normally carries one septet per octet. */
  packed?: boolean;
  /** headerLength is the UDH size in octets including its length octet (parseUdh's headerLength), skipped before decoding. */
  headerLength?: number;
}

// SMPP 3.4 charsets with no decoder here; their octets go through as 8BIT
const SMPP_CHARSETS: Record<number, string> = {
  0x05: 'JIS X 0208',
  0x06: 'ISO-8859-5',
  0x07: 'ISO-8859-8',
  0x09: 'Pictogram',
  0x0a: 'ISO-2022-JP',
  0x0d: 'JIS X 0212',
  0x0e: 'KS C 5601',
};

const CLASS_ALPHABET: ReadonlyArray<Alphabet> = ['GSM7', '8BIT', 'UCS2', 'GSM7'];
const INDICATION_KIND = ['voicemail', 'fax', 'email', 'other'] as const;

function smppValue(dcs: number, opts: DataCodingOptions): DataCoding {
  const base = { compressed: false, group: 'smpp' as const };
  switch (dcs) {
    case 0x00:
      return { ...base, alphabet: opts.defaultAlphabet ?? 'GSM7' };
    case 0x01:
      return { ...base, alphabet: 'IA5' };
    case 0x02:
    case 0x04:
      return { ...base, alphabet: '8BIT' };
    case 0x03:
      return { ...base, alphabet: 'LATIN1' };
    case 0x08:
      return { ...base, alphabet: 'UCS2' };
  }
  const charset = SMPP_CHARSETS[dcs];
  if (charset !== undefined) return { ...base, alphabet: '8BIT', charset };
  // 0x0B, 0x0C, 0x0F are reserved in SMPP; 23.038 reads reserved as GSM 7-bit
  return { ...base, alphabet: 'GSM7' };
}

/**
 * parseDataCoding reads a data_coding value. 0x00..0x0F follow SMPP 3.4
 * (0x00 is the link's default alphabet, GSM7 unless opts.defaultAlphabet
 * says otherwise; 0x01 IA5; 0x03 Latin-1; 0x02/0x04 8-bit; 0x08 UCS2);
 * 0x10 and up follow the 23.038 coding groups: general and auto-deletion
 * (compression bit 5, class bits 1..0 when bit 4 is set, alphabet bits 3..2),
 * message waiting 1100/1101 (GSM7) and 1110 (UCS2), and 1111 (bit 2 picks
 * GSM7 or 8-bit, bits 1..0 the class). Reserved codings read as GSM7, as
 * 23.038 tells a receiver to. Throws RangeError outside 0..255.
 */
export function parseDataCoding(dcs: number, opts: DataCodingOptions = {}): DataCoding {
  if (!Number.isInteger(dcs) || dcs < 0 || dcs > 0xff) {
    throw new RangeError(`data_coding must be an integer 0..255, got ${dcs}`);
  }
  if (dcs <= 0x0f) return smppValue(dcs, opts);
  const group = dcs >> 4;
  if (group <= 0x7) {
    const out: DataCoding = {
      alphabet: CLASS_ALPHABET[(dcs >> 2) & 0x3],
      compressed: (dcs & 0x20) !== 0,
      group: group <= 0x3 ? 'general' : 'auto-delete',
    };
    if (dcs & 0x10) out.messageClass = (dcs & 0x3) as 0 | 1 | 2 | 3;
    return out;
  }
  if (group <= 0xb) return { alphabet: 'GSM7', compressed: false, group: 'reserved' };
  if (group <= 0xe) {
    return {
      alphabet: group === 0xe ? 'UCS2' : 'GSM7',
      compressed: false,
      group: group === 0xc ? 'mwi-discard' : 'mwi-store',
      indication: { active: (dcs & 0x08) !== 0, kind: INDICATION_KIND[dcs & 0x3] },
    };
  }
  return {
    alphabet: dcs & 0x04 ? '8BIT' : 'GSM7',
    messageClass: (dcs & 0x3) as 0 | 1 | 2 | 3,
    compressed: false,
    group: 'class',
  };
}

function decodeBytes(bytes: ArrayLike<number>): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i]);
  return out;
}

/**
 * decodeShortMessage decodes short_message octets by their data_coding.
 * opts.headerLength octets of UDH are skipped first (for packed GSM7 the
 * fill bits after them are accounted for). GSM7 decodes unpacked unless
 * opts.packed; UCS2 as UTF-16BE; IA5 and Latin-1 by octet value. 8-bit
 * data, SMPP charsets without a decoder and compressed text also come back
 * octet by octet (U+0000..U+00FF), so nothing is lost: call parseDataCoding
 * to tell binary or undecoded content from text before showing it.
 */
export function decodeShortMessage(bytes: Uint8Array, dcs: number, opts: DecodeOptions = {}): string {
  const coding = parseDataCoding(dcs, opts);
  const header = Math.max(0, Math.min(Math.floor(opts.headerLength ?? 0), bytes.length));
  const body = bytes.subarray(header);
  if (coding.compressed) return decodeBytes(body);
  switch (coding.alphabet) {
    case 'GSM7':
      if (!opts.packed) return decodeGsm7(body);
      // the UDH occupies whole septets in the packed stream; pad to the next boundary
      return decodeGsm7(unpackGsm7(body, undefined, (7 - ((header * 8) % 7)) % 7));
    case 'UCS2':
      return decodeUcs2(body);
    default:
      return decodeBytes(body);
  }
}
