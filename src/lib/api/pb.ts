// The UI's one PocketBase SDK client. The SPA is served by PocketBase itself,
// so the API lives at this page's origin; the SDK keeps the session in
// localStorage. Only state classes (src/lib/state) import it.
import PocketBase from 'pocketbase';
import { browser } from '$app/environment';

/** pb is the shared SDK client; auto-cancellation is off so that two views
 * asking for the same list never abort each other. */
export const pb = new PocketBase(browser ? location.origin : 'http://localhost');
pb.autoCancellation(false);
