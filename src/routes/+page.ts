// The bare address opens the inbox (which sends signed-out visitors to login).
import { redirect } from '@sveltejs/kit';
import { HOME } from '$lib/navigation';

export const load = () => redirect(307, HOME);
