// Every page in (app) needs a signed-in user; others go to login and come back.
import { redirect } from '@sveltejs/kit';
import { auth } from '$lib/state/auth.svelte';
import { loginUrl } from '$lib/navigation';
import type { LayoutLoad } from './$types';

export const load: LayoutLoad = ({ url }) => {
  if (!auth.current) redirect(307, loginUrl(url));
};
