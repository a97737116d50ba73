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
