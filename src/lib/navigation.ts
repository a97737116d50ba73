// Where the app sends people: the login redirect target and its safety check.

/** HOME is where a signed-in user lands by default. */
export const HOME = '/messages';

/** START is the first administrator's next steps after the first-run screen. */
export const START = '/admin/start';

/** safeNext returns the in-app path to go to after login, or HOME when the
 * requested one is missing, leaves this origin, or points back at login/setup. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return HOME;
  const path = next.split(/[?#]/)[0];
  if (path === '/login' || path === '/setup' || path === '/') return HOME;
  return next;
}

/** loginUrl is the login page that returns to `url` afterwards. */
export function loginUrl(url: URL): string {
  const here = url.pathname + url.search;
  return here === '/' || here === HOME ? '/login' : `/login?next=${encodeURIComponent(here)}`;
}
