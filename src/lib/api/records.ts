// Which copy of a record is current. A request's answer and the realtime
// event of a later change race: the bridge may write a link's refusal before
// the admin's create request has returned, and the older answer must not
// overwrite the newer state (issue 14, item 2).

/** Stamped is any record with PocketBase's `updated` autodate ("2026-12-01 13:25:12.274Z"). */
export interface Stamped {
  id: string;
  updated?: string;
}

/** isStale reports whether `incoming` is older than the copy already held, so it must not replace it. */
export function isStale(held: Stamped | undefined, incoming: Stamped): boolean {
  if (!held || !held.updated || !incoming.updated) return false;
  // same fixed-width format: string order is time order
  return incoming.updated < held.updated;
}
