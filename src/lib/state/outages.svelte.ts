// The links that are down, for everyone who sends texts: GET /api/sms/outages
// when something starts watching and every 30 s while anything does (the
// route is one small query; members cannot read smsc_links themselves).
// `.current` feeds the Messages-tab banner and the status of waiting texts.
import { pb } from '$lib/api/pb';
import type { Outage } from '$lib/api/types';
import { outageFor, waitingLabel } from '$lib/chat/outages';

/** OUTAGE_POLL_MS is how often the outages are read while shown. */
export const OUTAGE_POLL_MS = 30_000;

/** OutagesState holds the links that are down as `.current`. */
export class OutagesState {
  current = $state<Outage[]>([]);
  private watchers = 0;
  private timer?: ReturnType<typeof setInterval>;

  /** start reads the outages now and then every OUTAGE_POLL_MS until the returned stop is called by every watcher. */
  start(): () => void {
    if (this.watchers++ === 0) {
      void this.load();
      this.timer = setInterval(() => void this.load(), OUTAGE_POLL_MS);
    }
    return () => {
      if (--this.watchers === 0) clearInterval(this.timer);
    };
  }

  /** load reads the outages; a failed read keeps the last answer. */
  async load(): Promise<void> {
    try {
      const res = await pb.send<{ outages: Outage[] }>('/api/sms/outages', { requestKey: null });
      this.current = res.outages;
    } catch {
      // offline or signed out: the banner keeps what it knew
    }
  }

  /** waitingFor is the status of a queued text from a business number whose link is down; '' when it is not. */
  waitingFor = (from: string): string => {
    const o = outageFor(from, this.current);
    return o ? waitingLabel(o, new Date()) : '';
  };
}

/** outages is the one OutagesState of the app. */
export const outages = new OutagesState();
