// Times as the chat shows them: PocketBase's 'YYYY-MM-DD HH:MM:SS.sssZ'
// strings read as local dates, day labels for the separators, and the short
// times of the conversation list.

/** parseTime reads a PocketBase date string; null when empty or invalid. */
export function parseTime(value: string): Date | null {
  if (!value) return null;
  const date = new Date(value.replace(' ', 'T'));
  return Number.isNaN(date.getTime()) ? null : date;
}

/** toServerTime writes a date the way PocketBase does, so it compares as text with stored ones. */
export function toServerTime(date: Date): string {
  return date.toISOString().replace('T', ' ');
}

/** dayKey names the local calendar day of a date, e.g. '2025-03-07'. */
export function dayKey(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** daysBetween counts calendar days from `from` to `to` (0 on the same day). */
function daysBetween(from: Date, to: Date): number {
  const a = Date.UTC(from.getFullYear(), from.getMonth(), from.getDate());
  const b = Date.UTC(to.getFullYear(), to.getMonth(), to.getDate());
  return Math.round((b - a) / 86_400_000);
}

/** formatClock is the time of day, e.g. '14:05' or '2:05 PM' depending on the locale. */
export function formatClock(date: Date, locale?: string): string {
  return date.toLocaleTimeString(locale, { hour: 'numeric', minute: '2-digit' });
}

/** formatDay labels a day separator: 'Today', 'Yesterday', or the full date. */
export function formatDay(date: Date, now: Date, locale?: string): string {
  const days = daysBetween(date, now);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  return date.toLocaleDateString(locale, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: date.getFullYear() === now.getFullYear() ? undefined : 'numeric'
  });
}

/** formatDayInline is formatDay inside a sentence: 'today', 'yesterday', or 'on Tuesday 24 November'. */
export function formatDayInline(date: Date, now: Date, locale?: string): string {
  const days = daysBetween(date, now);
  if (days === 0) return 'today';
  if (days === 1) return 'yesterday';
  return `on ${formatDay(date, now, locale)}`;
}

/** formatListTime is the short time of the conversation list: the clock today,
 * 'Yesterday', the weekday within a week, else the date. */
export function formatListTime(date: Date, now: Date, locale?: string): string {
  const days = daysBetween(date, now);
  if (days <= 0) return formatClock(date, locale);
  if (days === 1) return 'Yesterday';
  if (days < 7) return date.toLocaleDateString(locale, { weekday: 'short' });
  if (date.getFullYear() === now.getFullYear()) return date.toLocaleDateString(locale, { day: 'numeric', month: 'short' });
  return date.toLocaleDateString(locale, { day: 'numeric', month: 'short', year: 'numeric' });
}

/** formatFull is the complete date and time, for tooltips. */
export function formatFull(date: Date, locale?: string): string {
  return date.toLocaleString(locale, { dateStyle: 'full', timeStyle: 'short' });
}
