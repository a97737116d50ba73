// The first-run steps after the first administrator: how far each has got
// (people, SMSC links, business numbers), read once when the page opens.
import { pb } from '$lib/api/pb';

/** StartProgress counts what the Getting started steps add. */
export interface StartProgress {
  people: number;
  links: number;
  numbers: number;
}

/** StartState holds the counts as `.current` (null until loaded). */
export class StartState {
  current = $state<StartProgress | null>(null);

  /** load counts people, links and numbers. */
  async load(): Promise<StartProgress> {
    const count = (collection: string) => pb.collection(collection).getList(1, 1, { requestKey: null, fields: 'id' }).then((r) => r.totalItems);
    const [people, links, numbers] = await Promise.all([count('users'), count('smsc_links'), count('numbers')]);
    this.current = { people, links, numbers };
    return this.current;
  }
}
