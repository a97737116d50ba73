// Pure helpers over the extension directory (the `users` list).
import type { UserRecord } from '$lib/api/types';

/** compareExtensions orders extensions as numbers ("20" before "100"), then as text. */
export function compareExtensions(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true }) || (a < b ? -1 : a > b ? 1 : 0);
}

/** sortByExtension returns a copy of users ordered by extension. */
export function sortByExtension(users: readonly UserRecord[]): UserRecord[] {
  return [...users].sort((a, b) => compareExtensions(a.extension, b.extension));
}

/** matchesUser reports whether a user's name, extension or email contains the query. */
export function matchesUser(user: UserRecord, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return (
    user.extension.includes(q) ||
    user.name.toLowerCase().includes(q) ||
    user.email.toLowerCase().includes(q)
  );
}

/** Colleague is the part of a user the colleague pickers show. */
export interface Colleague {
  id: string;
  name: string;
  extension: string;
  disabled: boolean;
}

/** matchesColleague reports whether a colleague's name or extension contains the query. */
export function matchesColleague(user: Colleague, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return user.extension.includes(q) || user.name.toLowerCase().includes(q);
}

/** pickable lists the colleagues you can start a chat with or add: active, not you, not excluded, by name. */
export function pickable<T extends Colleague>(users: Iterable<T>, me: string, exclude: readonly string[] = []): T[] {
  const skip = new Set([me, ...exclude]);
  return [...users].filter((u) => !u.disabled && !skip.has(u.id)).sort((a, b) => a.name.localeCompare(b.name));
}
