// Root of the SPA: no server rendering, no prerendering. Before any page
// shows, learn whether first-run setup is still open and refresh the stored
// session; while setup is open every page leads to /setup.
import { error, redirect } from '@sveltejs/kit';
import { ClientResponseError } from 'pocketbase';
import { setup } from '$lib/state/setup.svelte';
import { auth } from '$lib/state/auth.svelte';
import { OFFLINE_MESSAGE } from '$lib/api/errors';
import { HOME } from '$lib/navigation';
import type { LayoutLoad } from './$types';

export const ssr = false;
export const prerender = false;

export const load: LayoutLoad = async ({ url, fetch }) => {
  let needsAdmin: boolean;
  try {
    [needsAdmin] = await Promise.all([setup.check(fetch), auth.ready(fetch)]);
  } catch (err) {
    const offline = err instanceof ClientResponseError && err.status === 0;
    error(503, offline ? OFFLINE_MESSAGE : 'The server did not answer as expected. Try again.');
  }

  const atSetup = url.pathname === '/setup';
  if (needsAdmin && !atSetup) redirect(307, '/setup');
  if (!needsAdmin && atSetup) redirect(307, auth.current ? HOME : '/login');
};
