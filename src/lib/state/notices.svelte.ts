// Changes to your own account that someone else made (today: an
// administrator resetting your password), shown once after you sign in and
// acknowledged through the server so they do not come back.
import { pb } from '$lib/api/pb';
import type { AccountNotice } from '$lib/api/types';

/** NoticesState holds the signed-in user's unacknowledged notices as `.current`. */
export class NoticesState {
  /** the notices, newest first; empty when there is nothing to say */
  current = $state<AccountNotice[]>([]);

  /** load asks the server for the signed-in user's notices. */
  async load(): Promise<void> {
    try {
      const res = await pb.send<{ notices: AccountNotice[] }>('/api/me/notices', {});
      this.current = res.notices;
    } catch {
      // offline or signed out: nothing to show now, the next sign-in asks again
      this.current = [];
    }
  }

  /** dismiss acknowledges every shown notice; throws the SDK error on failure. */
  async dismiss(): Promise<void> {
    await pb.send('/api/me/notices/ack', { method: 'POST' });
    this.current = [];
  }

  /** clear forgets the notices in this tab (on sign-out). */
  clear(): void {
    this.current = [];
  }
}

/** notices is the app-wide list for the signed-in user. */
export const notices = new NoticesState();
