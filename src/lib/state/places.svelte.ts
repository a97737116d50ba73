// Where each waiting text of the open conversation stands in its link's
// queue: POST /api/sms/queue-places with the ids of the queued deliveries on
// screen, again every PLACES_POLL_MS while any wait, and at once when the set
// of waiting texts changes. The place is computed by PocketBase on read (one
// index count per text); members cannot read smsc_links or others'
// deliveries themselves. `.labelFor` feeds the status under a waiting text.
import { pb } from '$lib/api/pb';
import { formatSpan, queuePlaceLabel } from '$lib/domain/smsc-link';

/** PLACES_POLL_MS is how often the places are read while texts wait on screen. */
export const PLACES_POLL_MS = 10_000;

/** QueuePlace is one waiting text's place (the route's answer). */
export interface QueuePlace {
  ahead: number;
  eta_s: number | null;
}

/** QueuePlacesState holds the places of the waiting texts being watched, by delivery id. */
export class QueuePlacesState {
  current = $state<Record<string, QueuePlace>>({});
  private ids: string[] = [];
  private key = '';
  private timer?: ReturnType<typeof setInterval>;

  /** watch follows these delivery ids (the queued ones on screen); an empty list stops. */
  watch(ids: readonly string[]): void {
    const key = [...ids].sort().join(',');
    if (key === this.key) return;
    this.key = key;
    this.ids = [...ids];
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.ids.length === 0) return;
    void this.load();
    this.timer = setInterval(() => void this.load(), PLACES_POLL_MS);
  }

  /** stop ends the polling. */
  stop(): void {
    this.watch([]);
  }

  /** load reads the places; a failed read keeps the last answer. */
  async load(): Promise<void> {
    const ids = this.ids;
    if (ids.length === 0) return;
    try {
      const res = await pb.send<{ places: Record<string, QueuePlace> }>('/api/sms/queue-places', {
        method: 'POST',
        body: { deliveries: ids },
        requestKey: null
      });
      this.current = res.places;
    } catch {
      // offline: the statuses keep what they knew
    }
  }

  /** labelFor is the status of a waiting text: "Queued: 37 ahead · about 6 min"; '' when unknown. */
  labelFor = (id: string): string => {
    const p = this.current[id];
    if (!p) return '';
    const eta = p.eta_s !== null && p.eta_s > 0 ? ` · about ${formatSpan(p.eta_s * 1000)}` : '';
    return queuePlaceLabel(p.ahead) + eta;
  };
}
