// Broadcasts: the pure parts shared by the hooks and the UI. Reading a
// pasted or CSV list of numbers into recipients (normalised, duplicates and
// invalid entries reported), the expected time at the link's rate and the
// broadcast's cap, and how many recipients one release may hand to the
// link. docs/broadcasts.md.
import { checkPhone } from './phone';

/** MAX_RECIPIENTS is the most recipients one broadcast takes. */
export const MAX_RECIPIENTS = 10_000;
/** DEFAULT_CAP is a broadcast's texts per minute unless the sender sets one. */
export const DEFAULT_CAP = 60;
/** MAX_CAP is the highest cap a sender may set (texts per minute). */
export const MAX_CAP = 60_000;
/** RELEASE_BATCH is the most recipients one release hands to the link. */
export const RELEASE_BATCH = 10;
/** LINK_LOW_WATER: a broadcast releases only while fewer deliveries than this wait on its link (or twice its window, if more). */
export const LINK_LOW_WATER = 20;

/** linkLowWater is how many waiting deliveries a link may have before broadcasts hold back: enough to keep its window full. */
export function linkLowWater(window: number): number {
  return Math.max(LINK_LOW_WATER, 2 * Math.max(0, Math.floor(window || 0)));
}

/** BroadcastStatus is where a broadcast stands. */
export type BroadcastStatus = 'running' | 'paused' | 'cancelled' | 'done';
/** RecipientStatus is where one recipient stands. */
export type RecipientStatus = 'pending' | 'sent' | 'skipped_opted_out' | 'failed' | 'cancelled';

/** RecipientPlan is a list of numbers read for a broadcast. */
export interface RecipientPlan {
  /** unique valid numbers in E.164, in the order given */
  phones: string[];
  /** entries that repeat an earlier number */
  duplicates: number;
  /** entries that are not phone numbers, with the reason */
  invalid: { value: string; error: string }[];
}

/** splitPasted reads pasted text into entries: one per line, or separated by commas, semicolons or tabs. */
export function splitPasted(text: string): string[] {
  return text
    .split(/[\r\n,;\t]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** planRecipients normalises entries to E.164 with the default country; duplicates and invalid entries are counted, not kept. */
export function planRecipients(entries: string[], country: string, exclude: string[] = []): RecipientPlan {
  const seen = new Set<string>();
  const plan: RecipientPlan = { phones: [], duplicates: 0, invalid: [] };
  for (const raw of entries) {
    const value = String(raw ?? '').trim();
    if (!value) continue;
    const r = checkPhone(value, country);
    if (!r.ok) {
      plan.invalid.push({ value, error: r.error });
      continue;
    }
    if (exclude.includes(r.e164)) {
      plan.invalid.push({ value, error: 'That is the business number itself.' });
      continue;
    }
    if (seen.has(r.e164)) {
      plan.duplicates++;
      continue;
    }
    seen.add(r.e164);
    plan.phones.push(r.e164);
  }
  return plan;
}

/**
 * pickPhoneColumn returns the index of the CSV column that holds phone
 * numbers (the one where most cells read as numbers) and whether the first
 * row is a header (its cell in that column is not a number); -1 when no
 * column has any number.
 */
export function pickPhoneColumn(rows: string[][], country: string): { column: number; header: boolean } {
  const width = Math.max(0, ...rows.map((r) => r.length));
  let best = -1;
  let bestCount = 0;
  for (let c = 0; c < width; c++) {
    let n = 0;
    for (const row of rows.slice(0, 200)) if (row[c] && checkPhone(row[c], country).ok) n++;
    if (n > bestCount) {
      best = c;
      bestCount = n;
    }
  }
  if (best < 0) return { column: -1, header: false };
  const first = rows[0]?.[best] ?? '';
  return { column: best, header: !checkPhone(first, country).ok };
}

/** csvEntries reads the phone column of parsed CSV rows (the header left out). */
export function csvEntries(rows: string[][], country: string): string[] {
  const { column, header } = pickPhoneColumn(rows, country);
  if (column < 0) return [];
  return rows.slice(header ? 1 : 0).map((r) => (r[column] ?? '').trim()).filter((s) => s !== '');
}

/**
 * etaMs is how long a broadcast takes to hand its texts to the network: at
 * its cap (texts per minute), and at the link's rate (submits per second,
 * one per SMS part; 0 = no limit), whichever is slower. Other traffic on
 * the link comes on top.
 */
export function etaMs(recipients: number, segments: number, capPerMinute: number, linkPerSecond: number): number {
  if (recipients <= 0) return 0;
  const byCap = capPerMinute > 0 ? (recipients / capPerMinute) * 60_000 : 0;
  const byLink = linkPerSecond > 0 ? ((recipients * Math.max(1, segments)) / linkPerSecond) * 1000 : 0;
  return Math.max(byCap, byLink);
}

/** checkCap reads a cap (texts per minute): a whole number from 1 to MAX_CAP; '' or undefined is the default. */
export function checkCap(raw: unknown): { ok: true; cap: number } | { ok: false; error: string } {
  if (raw === undefined || raw === null || raw === '') return { ok: true, cap: DEFAULT_CAP };
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_CAP) return { ok: false, error: `The cap is a whole number of texts per minute, from 1 to ${MAX_CAP.toLocaleString('en')}.` };
  return { ok: true, cap: n };
}

/**
 * releaseSize says how many recipients the next release hands to the link:
 * about one second's worth at the cap (at least one, at most RELEASE_BATCH),
 * and only as many as keep the link's waiting deliveries under its low-water
 * mark (linkLowWater), so people's own texts on the link never wait behind a
 * broadcast's backlog.
 */
export function releaseSize(capPerMinute: number, linkWaiting: number, lowWater = LINK_LOW_WATER): number {
  const room = lowWater - linkWaiting;
  if (room <= 0) return 0;
  const perSecond = Math.floor(capPerMinute / 60);
  return Math.max(1, Math.min(RELEASE_BATCH, perSecond, room));
}

/** releaseGapMs is how long after releasing n recipients the next release may come, to keep to the cap. */
export function releaseGapMs(n: number, capPerMinute: number): number {
  return Math.ceil((n * 60_000) / Math.max(1, capPerMinute));
}

/** BroadcastCounts are a broadcast's counters. */
export interface BroadcastCounts {
  total: number;
  sent: number;
  skipped: number;
  failed: number;
  cancelled: number;
}

/** progressOf is the share of recipients dealt with (handed to the link, skipped, failed or cancelled), 0 to 1. */
export function progressOf(c: BroadcastCounts): number {
  if (c.total <= 0) return 1;
  return Math.min(1, (c.sent + c.skipped + c.failed + c.cancelled) / c.total);
}

/** recipientLabel says a recipient's state in words, following its delivery once handed over. */
export function recipientLabel(status: string, deliveryStatus: string): string {
  if (status === 'sent') {
    const d: { [s: string]: string } = { queued: 'Queued', sending: 'Sending', sent: 'Sent', delivered: 'Delivered', failed: 'Failed', unknown: 'Unknown' };
    return d[deliveryStatus] ?? 'Queued';
  }
  const s: { [s: string]: string } = { pending: 'Waiting', skipped_opted_out: 'Skipped: opted out', failed: 'Not sent', cancelled: 'Cancelled' };
  return s[status] ?? status;
}

/** BroadcastPreview is what the sender sees before starting (`POST /api/broadcasts/preview`): the hooks make it, the page shows it. */
export interface BroadcastPreview {
  recipients: number;
  duplicates: number;
  invalid_count: number;
  invalid: { value: string; error: string }[];
  without_number: number;
  opted_out: number;
  segments: number;
  encoding: string;
  cap: number;
  link_name: string;
  link_per_second: number;
  eta_s: number;
}

/** ReportRow is one recipient in a broadcast's report (`GET /api/broadcasts/{id}/report`): the hooks make it, the page shows it. */
export interface ReportRow {
  id: string;
  phone: string;
  status: string;
  error: string;
  conversation: string;
  delivery_status: string;
  delivery_error: string;
}
