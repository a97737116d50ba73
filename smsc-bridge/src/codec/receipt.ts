// Delivery receipts: the SMPP 3.4 appendix B text
// (`id:… sub:… dlvrd:… submit date:… done date:… stat:… err:… text:…`)
// read tolerantly, the message_state TLV, and the id forms to match a
// receipt against the id submit_sm_resp returned.

/** ReceiptStat is the receipt's stat field; well-known codes are listed, others pass through upper-cased. */
export type ReceiptStat =
  | 'DELIVRD'
  | 'EXPIRED'
  | 'DELETED'
  | 'UNDELIV'
  | 'ACCEPTD'
  | 'UNKNOWN'
  | 'REJECTD'
  | 'ENROUTE'
  | (string & {});

/** DeliveryReceipt is the content of a receipt text. */
export interface DeliveryReceipt {
  id: string;
  sub?: string;
  dlvrd?: string;
  /** submitDate is undefined when missing or not a date we can read. */
  submitDate?: Date;
  doneDate?: Date;
  stat: ReceiptStat;
  err?: string;
  text?: string;
}

/** ReceiptOptions carries per-link quirks. */
export interface ReceiptOptions {
  /** utcOffsetMinutes is the SMSC's clock offset from UTC; receipt dates carry no zone (default 0, i.e. read as UTC). */
  utcOffsetMinutes?: number;
}

type Field = 'id' | 'sub' | 'dlvrd' | 'submitDate' | 'doneDate' | 'stat' | 'err' | 'text';

const KEY_RE = /(^|[\s,;])(id|sub|dlvrd|submit[ _]?date|done[ _]?date|stat|err|text)\s*:/gi;

const STAT_ALIASES: Record<string, string> = {
  DELIVERED: 'DELIVRD',
  UNDELIVERABLE: 'UNDELIV',
  ACCEPTED: 'ACCEPTD',
  REJECTED: 'REJECTD',
};

function fieldOf(key: string): Field {
  const k = key.toLowerCase().replace(/[ _]/g, '');
  if (k === 'submitdate') return 'submitDate';
  if (k === 'donedate') return 'doneDate';
  return k as Field;
}

function firstToken(value: string): string {
  return value.trim().split(/\s+/)[0] ?? '';
}

function utcDate(y: number, mo: number, d: number, h: number, mi: number, s: number, offset: number): Date | undefined {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(t);
  // Date.UTC rolls 31 February over into March; such a date is garbage
  if (check.getUTCDate() !== d) return undefined;
  return new Date(t - offset * 60000);
}

/**
 * parseReceiptDate reads a receipt date: 10 digits YYMMDDhhmm (the SMPP
 * 3.4 form), 12 digits YYMMDDhhmmss, or 14 digits YYYYMMDDhhmmss. Two-digit
 * years are 20YY. A 12-digit value that is no valid YYMMDDhhmmss is tried as
 * YYYYMMDDhhmm, which some SMSCs send. Returns undefined when unreadable.
 */
export function parseReceiptDate(value: string, utcOffsetMinutes = 0): Date | undefined {
  if (!/^\d+$/.test(value)) return undefined;
  const n = (from: number, len: number) => Number(value.slice(from, from + len));
  const off = utcOffsetMinutes;
  switch (value.length) {
    case 10:
      return utcDate(2000 + n(0, 2), n(2, 2), n(4, 2), n(6, 2), n(8, 2), 0, off);
    case 12:
      return (
        utcDate(2000 + n(0, 2), n(2, 2), n(4, 2), n(6, 2), n(8, 2), n(10, 2), off) ??
        utcDate(n(0, 4), n(4, 2), n(6, 2), n(8, 2), n(10, 2), 0, off)
      );
    case 14:
      return utcDate(n(0, 4), n(4, 2), n(6, 2), n(8, 2), n(10, 2), n(12, 2), off);
  }
  return undefined;
}

/**
 * parseReceipt reads a delivery receipt text: fields in any order and any
 * case, `submit date` also as `submit_date`/`submitdate`, any field but id
 * and stat missing. The first occurrence of a key counts; a later one is
 * part of the preceding value, so `text:` quoting the message (which may
 * itself say "stat:") does not disturb the fields. Full-word stats
 * (DELIVERED, UNDELIVERABLE, ACCEPTED, REJECTED) map to the 7-letter codes.
 * Returns null when there is no id or no stat: that is not a receipt.
 * Decode receipt octets as Latin-1, not GSM, before calling this.
 */
export function parseReceipt(text: string, opts: ReceiptOptions = {}): DeliveryReceipt | null {
  const found: { field: Field; keyStart: number; valueStart: number }[] = [];
  const seen = new Set<Field>();
  KEY_RE.lastIndex = 0;
  for (let m = KEY_RE.exec(text); m !== null; m = KEY_RE.exec(text)) {
    const field = fieldOf(m[2]);
    if (seen.has(field)) continue;
    seen.add(field);
    found.push({ field, keyStart: m.index + m[1].length, valueStart: m.index + m[0].length });
  }
  const values: Partial<Record<Field, string>> = {};
  found.forEach((f, i) => {
    const end = i + 1 < found.length ? found[i + 1].keyStart : text.length;
    const raw = text.slice(f.valueStart, end);
    values[f.field] = f.field === 'text' ? raw.trim() : firstToken(raw);
  });
  const id = values.id;
  const stat = values.stat?.toUpperCase();
  if (!id || !stat) return null;
  const receipt: DeliveryReceipt = { id, stat: STAT_ALIASES[stat] ?? stat };
  const offset = opts.utcOffsetMinutes ?? 0;
  if (values.sub) receipt.sub = values.sub;
  if (values.dlvrd) receipt.dlvrd = values.dlvrd;
  const submitDate = values.submitDate ? parseReceiptDate(values.submitDate, offset) : undefined;
  const doneDate = values.doneDate ? parseReceiptDate(values.doneDate, offset) : undefined;
  if (submitDate) receipt.submitDate = submitDate;
  if (doneDate) receipt.doneDate = doneDate;
  if (values.err) receipt.err = values.err;
  if (values.text !== undefined) receipt.text = values.text;
  return receipt;
}

/**
 * MessageIdMode says how a message id is read: 'auto' every way at once,
 * 'raw' as text only, 'hex' or 'decimal' as a number in that base.
 */
export type MessageIdMode = 'auto' | 'raw' | 'hex' | 'decimal';

/**
 * messageIdKeys returns the forms of a message id to match on. Store the
 * keys of the submit_sm_resp id, look up the keys of the receipt id; they
 * match when the two share a key.
 *
 * 'auto' (default) gives the id as sent, trimmed of spaces and NULs,
 * lower-cased, with leading zeros stripped, and, when it parses, hex→decimal
 * and decimal→hex (lower-case): a hex id matches its decimal twin and an id
 * that lost its zeros. Digit-only ids then read both ways, so on a busy link
 * "10" (0x10) can meet an unrelated "16". When a link's habit is known, use
 * 'hex' for the side that sends hex and 'decimal' for the side that sends
 * decimal: each gives just the canonical decimal value, and nothing else
 * can collide. An id that does not parse in the chosen base falls back to
 * the 'raw' forms (as sent, trimmed, lower-case, zeros stripped).
 */
export function messageIdKeys(id: string, mode: MessageIdMode = 'auto'): string[] {
  const trimmed = id.replace(/^[\s\0]+|[\s\0]+$/g, '');
  const lower = trimmed.toLowerCase();
  const isHex = /^[0-9a-f]+$/.test(lower);
  const isDecimal = /^[0-9]+$/.test(lower);
  if (mode === 'hex' && isHex) return [BigInt('0x' + lower).toString(10)];
  if (mode === 'decimal' && isDecimal) return [BigInt(lower).toString(10)];
  const keys = [id];
  if (trimmed !== '') keys.push(trimmed, lower, lower.replace(/^0+(?=.)/, ''));
  if (mode === 'auto' && isHex) keys.push(BigInt('0x' + lower).toString(10));
  if (mode === 'auto' && isDecimal) keys.push(BigInt(lower).toString(16));
  return keys.filter((k, i) => keys.indexOf(k) === i);
}

/** MessageStateName is a message_state TLV value by its SMPP name. */
export type MessageStateName =
  | 'SCHEDULED'
  | 'ENROUTE'
  | 'DELIVERED'
  | 'EXPIRED'
  | 'DELETED'
  | 'UNDELIVERABLE'
  | 'ACCEPTED'
  | 'UNKNOWN'
  | 'REJECTED'
  | 'SKIPPED';

const STATE_NAMES: ReadonlyArray<MessageStateName> = [
  'SCHEDULED', // 0, SMPP 5.0 only
  'ENROUTE',
  'DELIVERED',
  'EXPIRED',
  'DELETED',
  'UNDELIVERABLE',
  'ACCEPTED',
  'UNKNOWN',
  'REJECTED',
  'SKIPPED', // 9, SMPP 5.0 only
];

/** messageStateName names a message_state TLV (0x0427) value: 1..9 → ENROUTE … SKIPPED, 0 → SCHEDULED; undefined otherwise. */
export function messageStateName(n: number): MessageStateName | undefined {
  return Number.isInteger(n) ? STATE_NAMES[n] : undefined;
}

// states after which a later receipt may still follow; Kannel treats the
// same stats as "buffered", and many SMSCs send ACCEPTD before DELIVRD
const INTERMEDIATE = new Set(['SCHEDULED', 'ENROUTE', 'ACCEPTED', 'ACCEPTD', 'ACKED', 'BUFFRED', 'BUFFERD']);

/**
 * isFinalState reports whether a message_state value or name, or a receipt
 * stat, ends the message's story. SCHEDULED, ENROUTE and ACCEPTED/ACCEPTD
 * (plus the BUFFRED/BUFFERD/ACKED some SMSCs send) are not final: SMPP
 * calls ACCEPTED final, but in practice it is an interim receipt. Every
 * other state, including unrecognised stats, is final, as Kannel reads them.
 */
export function isFinalState(state: number | string): boolean {
  const name = typeof state === 'number' ? messageStateName(state) : state.trim().toUpperCase();
  if (name === undefined) return true;
  return !INTERMEDIATE.has(name);
}
