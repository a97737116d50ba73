// First-run state: whether the appliance still needs its first administrator,
// and the call that creates them.
import { ClientResponseError } from 'pocketbase';
import { pb } from '$lib/api/pb';
import type { FirstAdmin, UserRecord } from '$lib/api/types';

/** SetupState knows whether the first administrator exists yet. */
export class SetupState {
  /** true while no user exists; null until asked */
  needsAdmin = $state<boolean | null>(null);

  /** check asks the server whether setup is still open. Once an admin exists
   * that never changes, so later calls answer without a request. Pass a load
   * function's `fetch` when calling from one. */
  async check(fetch?: typeof globalThis.fetch): Promise<boolean> {
    if (this.needsAdmin === false) return false;
    const res = await pb.send<{ needs_admin: boolean }>('/api/setup', { method: 'GET', fetch });
    this.needsAdmin = res.needs_admin === true;
    return this.needsAdmin;
  }

  /** createAdmin creates the first administrator and signs them in. */
  async createAdmin(form: FirstAdmin): Promise<void> {
    try {
      const res = await pb.send<{ token: string; record: UserRecord }>('/api/setup/admin', {
        method: 'POST',
        body: form
      });
      pb.authStore.save(res.token, res.record as never);
      this.needsAdmin = false;
    } catch (err) {
      // someone else finished setup first
      if (err instanceof ClientResponseError && err.status === 409) this.needsAdmin = false;
      throw err;
    }
  }
}

/** setup is the app-wide first-run state. */
export const setup = new SetupState();
