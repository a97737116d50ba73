// A signed-in visitor has nothing to do on the login page.
import { redirect } from '@sveltejs/kit';
import { auth } from '$lib/state/auth.svelte';
import { safeNext } from '$lib/navigation';
import type { PageLoad } from './$types';

export const load: PageLoad = ({ url }) => {
  if (auth.current) redirect(307, safeNext(url.searchParams.get('next')));
};
