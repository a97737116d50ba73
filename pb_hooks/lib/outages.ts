// Links that are down, as the people who send through them see it: which
// business numbers' texts wait and since when (the Messages-tab banner and
// the status under a waiting text), and the admin's way out of an outage:
// cancelling the texts that wait for a link. docs/bridge.md, "A link that
// is down". A feature module: it imports only low modules.
import { doAudit, type Actor } from './audit';

/** Outage is one link that is not bound, with the business numbers whose texts wait for it. */
export interface Outage {
  link: string;
  name: string;
  state: string;
  /** since when texts through it cannot go ('' when the bridge has not said) */
  down_since: string;
  waiting: number;
  numbers: string[];
  /** number_ids: the same numbers' record ids (to match a person's sms_numbers) */
  number_ids: string[];
}

/** findOutages lists the links that are not bound and the SMS numbers that send through each. */
export function findOutages(app: CoreApp): Outage[] {
  const rows = arrayOf(
    new DynamicModel({ id: '', name: '', state: '', down_since: '', waiting: 0, e164: '', number: '' }),
  );
  app
    .db()
    .newQuery(
      `SELECT l.id AS id, l.name AS name, l.state AS state, l.down_since AS down_since, COALESCE(l.waiting, 0) AS waiting, n.e164 AS e164, n.id AS number
         FROM smsc_links l JOIN numbers n ON n.smsc_link = l.id
        WHERE n.sms_enabled = TRUE AND (l.state != 'bound' OR l.enabled = FALSE)
        ORDER BY l.name, n.e164`,
    )
    .all(rows);
  const byLink = new Map<string, Outage>();
  for (const r of rows as unknown as { id: string; name: string; state: string; down_since: string; waiting: number; e164: string; number: string }[]) {
    let o = byLink.get(r.id);
    if (!o) {
      o = { link: r.id, name: r.name, state: r.state || 'disabled', down_since: r.down_since || '', waiting: r.waiting, numbers: [], number_ids: [] };
      byLink.set(r.id, o);
    }
    o.numbers.push(r.e164);
    o.number_ids.push(r.number);
  }
  return [...byLink.values()];
}

/** checkCancelWaiting finds the link whose waiting texts an administrator cancels. */
export function checkCancelWaiting(app: CoreApp, linkId: string): core.Record {
  try {
    return app.findRecordById('smsc_links', linkId);
  } catch (_) {
    throw new NotFoundError('No such SMSC link.', null);
  }
}

/**
 * doCancelWaiting ends every text still queued for a link as failed
 * ("Cancelled by <admin>"), in one transaction, and logs it. Texts the bridge
 * is sending at that moment are not queued any more and go on.
 */
export function doCancelWaiting(app: CoreApp, actor: Actor, ip: string, link: core.Record): number {
  let cancelled = 0;
  app.runInTransaction((tx) => {
    const rows = tx.findRecordsByFilter('deliveries', 'status = "queued" && link = {:link}', 'queued_at', 0, 0, { link: link.id });
    const now = new DateTime();
    for (const d of rows) {
      if (!d) continue;
      d.set('status', 'failed');
      d.set('error', `Cancelled by ${actor.name}`);
      d.set('error_code', 'cancelled');
      d.set('next_attempt_at', '');
      d.set('done_at', now);
      tx.save(d);
      cancelled++;
    }
    doAudit(tx, actor, ip, [
      {
        action: 'smsc_link_cancel_waiting',
        target_collection: 'smsc_links',
        target_id: link.id,
        target_label: link.getString('name'),
        details: { cancelled },
      },
    ]);
  });
  return cancelled;
}

/** QueuePlace is where a waiting text stands in its link's queue. */
export interface QueuePlace {
  /** texts of the same link queued before it and still waiting */
  ahead: number;
  /** seconds until it goes at the link's rate ((ahead + 1) / rate); null without a rate or while the link is not bound */
  eta_s: number | null;
}

/** MAX_PLACES bounds the texts one request asks about. */
export const MAX_PLACES = 200;

/**
 * findQueuePlaces says, for each of the given deliveries that the user may
 * see and that is still queued on a link, how many texts of that link wait
 * ahead of it. The place is computed on read: one count per delivery over
 * the (status, link, queued_at) index, so it costs as many index entries as
 * there are texts ahead, and the bridge writes nothing for it. Others'
 * deliveries and finished ones are left out of the answer.
 */
export function findQueuePlaces(app: CoreApp, userId: string, ids: string[]): Record<string, QueuePlace> {
  const out: Record<string, QueuePlace> = {};
  const links = new Map<string, { rate: number; bound: boolean }>();
  for (const id of ids.slice(0, MAX_PLACES)) {
    let d: core.Record;
    try {
      d = app.findRecordById('deliveries', id);
    } catch (_) {
      continue;
    }
    const linkId = d.getString('link');
    if (d.getString('status') !== 'queued' || !linkId) continue;
    try {
      const message = app.findRecordById('messages', d.getString('message'));
      const conversation = app.findRecordById('conversations', message.getString('conversation'));
      if (!conversation.getStringSlice('members').includes(userId)) continue;
    } catch (_) {
      continue;
    }
    let link = links.get(linkId);
    if (!link) {
      try {
        const l = app.findRecordById('smsc_links', linkId);
        link = { rate: l.getFloat('max_per_second'), bound: l.getString('state') === 'bound' && l.getBool('enabled') };
      } catch (_) {
        link = { rate: 0, bound: false };
      }
      links.set(linkId, link);
    }
    const row = new DynamicModel({ n: 0 });
    app
      .db()
      .newQuery("SELECT COUNT(*) AS n FROM deliveries WHERE status = 'queued' AND link = {:link} AND queued_at < {:at}")
      .bind({ link: linkId, at: d.getString('queued_at') })
      .one(row);
    const ahead = (row as unknown as { n: number }).n;
    out[id] = { ahead, eta_s: link.rate > 0 && link.bound ? Math.ceil((ahead + 1) / link.rate) : null };
  }
  return out;
}
