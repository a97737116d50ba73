// Scheduled sends: when a text may be scheduled for (an instant with its
// zone, not in the past, at most a year ahead), and the business's wall
// clock (a date and time in its IANA time zone) turned into that instant and
// back. Shared by the hooks (parseSendAt, checkSendAt: no Intl there) and the
// compose box (zonedInstant, formatInZone: the browser's Intl). docs/scheduled.md.

/** GRACE_MS is how far in the past a send_at may be (clock skew, a slow request): it goes at the next tick. */
export const GRACE_MS = 60_000;
/** MAX_AHEAD_MS is how far ahead a text may be scheduled: 366 days. */
export const MAX_AHEAD_MS = 366 * 24 * 3600_000;

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)$/;

/**
 * parseSendAt reads an ISO 8601 instant that names its zone
 * ("2026-12-24T09:00:00+01:00", "2026-12-24T08:00:00Z") and returns it in
 * epoch milliseconds, or a sentence saying what is wrong with it.
 */
export function parseSendAt(text: string): { ok: true; at: number } | { ok: false; error: string } {
  const bad = (why: string) => ({ ok: false as const, error: `The send time (send_at) ${why}: give a date and time with its zone, e.g. 2026-12-24T09:00:00+01:00 or 2026-12-24T08:00:00Z.` });
  const m = ISO.exec(text.trim());
  if (!m) return bad(/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text.trim()) ? 'has no time zone' : 'is not an ISO 8601 date and time');
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 59) return bad('is not a real date and time');
  let offset = 0;
  const zone = m[8];
  if (zone !== 'Z' && zone !== 'z') {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2) || '0');
    if (oh > 14 || om > 59) return bad('has an impossible zone offset');
    offset = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  return { ok: true, at: Date.UTC(y, mo - 1, d, h, mi, s, ms) - offset };
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** checkSendAt returns why a text cannot be scheduled for `at` (epoch ms) at `now`, or '' when it can. */
export function checkSendAt(at: number, now: number): string {
  if (at < now - GRACE_MS) return `The send time ${new Date(at).toISOString()} is in the past; give a time from now on, or send without send_at to send at once.`;
  if (at > now + MAX_AHEAD_MS) return `The send time ${new Date(at).toISOString()} is more than a year ahead; texts can be scheduled up to 366 days in advance.`;
  return '';
}

/** isTimeZone says whether the browser (or Node) knows an IANA time zone name. */
export function isTimeZone(name: string): boolean {
  if (!name) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** TIME_ZONE_SHAPE is what a time zone name looks like ("UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5"); the hooks check no more (they have no zone database). */
export const TIME_ZONE_SHAPE = /^[A-Za-z][A-Za-z0-9_+-]{0,30}(\/[A-Za-z0-9_+-]{1,30}){0,2}$/;

/** offsetAt returns how far the wall clock in `zone` is ahead of UTC at instant `at`, in ms. */
function offsetAt(at: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit'
  }).formatToParts(new Date(at));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(at / 1000) * 1000;
}

/**
 * zonedInstant turns a wall-clock date ("2026-12-24") and time ("09:00") in
 * `zone` into an instant (epoch ms), or null when they are not a date and
 * time. A time the clocks skip (spring forward) is taken as the same
 * distance past the jump (02:30 becomes 03:30); a time that happens twice
 * (fall back) is the first of the two.
 */
export function zonedInstant(date: string, time: string, zone: string): number | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})$/.exec(time);
  if (!d || !t) return null;
  const [y, mo, da, h, mi] = [d[1], d[2], d[3], t[1], t[2]].map(Number);
  if (mo < 1 || mo > 12 || da < 1 || da > daysIn(y, mo) || h > 23 || mi > 59) return null;
  const wall = Date.UTC(y, mo - 1, da, h, mi);
  // the offset an hour either side of the guess: the earlier reading of an
  // ambiguous time uses the larger (summer) offset
  const guess = wall - offsetAt(wall, zone);
  const candidates = [offsetAt(guess - 3600_000, zone), offsetAt(guess + 3600_000, zone)].map((o) => wall - o);
  const exact = candidates.filter((at) => at + offsetAt(at, zone) === wall).sort((a, b) => a - b);
  if (exact.length) return exact[0];
  // skipped: keep the distance from the jump, with the offset before it
  return wall - offsetAt(guess - 3600_000, zone);
}

/** wallClock returns the date ("2026-12-24") and time ("09:00") that instant `at` shows in `zone`. */
export function wallClock(at: number, zone: string): { date: string; time: string } {
  const w = new Date(at + offsetAt(at, zone));
  const pad = (n: number) => String(n).padStart(2, '0');
  return { date: `${w.getUTCFullYear()}-${pad(w.getUTCMonth() + 1)}-${pad(w.getUTCDate())}`, time: `${pad(w.getUTCHours())}:${pad(w.getUTCMinutes())}` };
}

/** formatInZone writes an instant as people read it in the business's zone: "Thu, 24 Dec 2026, 09:00". */
export function formatInZone(at: number, zone: string, locale = 'en-GB'): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone: zone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23'
  }).format(new Date(at));
}
