// The signed-in user. Wraps the SDK's auth store (which persists the session
// in localStorage and syncs it across tabs) so components read `auth.current`
// and never touch the SDK.
import { ClientResponseError } from 'pocketbase';
import type PocketBase from 'pocketbase';
import type { SendOptions } from 'pocketbase';
import { pb } from '$lib/api/pb';
import type { UserRecord } from '$lib/api/types';

/** AuthState exposes the signed-in `users` record as `.current` (null when signed out). */
export class AuthState {
  /** the signed-in user, kept in step with the SDK's auth store */
  current = $state<UserRecord | null>(null);
  /** whether the signed-in user may open the admin pages */
  isAdmin = $derived(this.current?.role === 'admin');

  #pb: PocketBase;
  #refreshed: Promise<void> | null = null;

  constructor(client: PocketBase) {
    this.#pb = client;
    this.current = readUser(client);
    client.authStore.onChange(() => {
      this.current = readUser(client);
    });
    // a 401 to a request that carried our token means the session is over
    // (disabled, password reset): sign out here too instead of failing on
    const previous = client.afterSend;
    client.afterSend = (response: Response, data: unknown, options?: SendOptions) => {
      if (response.status === 401 && client.authStore.token && hasToken(options, client.authStore.token)) {
        client.authStore.clear();
      }
      return previous ? previous(response, data, options ?? {}) : data;
    };
  }

  /** ready refreshes the stored session once per page load, so role and
   * disabled changes made elsewhere apply; a 401/403 ends the session. Pass a
   * load function's `fetch` when calling from one. */
  ready(fetch?: typeof globalThis.fetch): Promise<void> {
    this.#refreshed ??= this.#refresh(fetch);
    return this.#refreshed;
  }

  async #refresh(fetch?: typeof globalThis.fetch): Promise<void> {
    const store = this.#pb.authStore;
    if (!readUser(this.#pb)) {
      if (store.token) store.clear();
      return;
    }
    try {
      await this.#pb.collection('users').authRefresh({ fetch });
    } catch (err) {
      // offline: keep the session, the next request will tell
      if (err instanceof ClientResponseError && (err.status === 401 || err.status === 403)) {
        store.clear();
      }
    }
  }

  /** logIn signs in with an email or an extension; throws the SDK error on failure. */
  async logIn(identity: string, password: string): Promise<void> {
    await this.#pb.collection('users').authWithPassword(identity.trim(), password);
    this.#refreshed = Promise.resolve();
  }

  /** logOut ends the session in this browser and drops realtime subscriptions. */
  logOut(): void {
    this.#pb.realtime.unsubscribe().catch(() => {});
    this.#pb.authStore.clear();
  }
}

/** readUser returns the stored auth record when it is a valid `users` session. */
function readUser(client: PocketBase): UserRecord | null {
  const { isValid, record } = client.authStore;
  return isValid && record?.collectionName === 'users' ? (record as unknown as UserRecord) : null;
}

/** hasToken reports whether a request was sent with the given auth token. */
function hasToken(options: SendOptions | undefined, token: string): boolean {
  const headers = (options?.headers ?? {}) as Record<string, string>;
  return headers['Authorization'] === token;
}

/** auth is the app-wide signed-in user. */
export const auth = new AuthState(pb);
