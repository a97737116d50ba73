/// <reference path="../build/pocketbase-types.d.ts" />
// Texts wait for a down link (issue 19): each link has a validity
// (`validity_s`, default 24 h) after which its waiting texts fail as
// expired; the bridge writes how many texts wait (`waiting`), since when
// (`waiting_since`) and since when the link is down (`down_since`). Each
// delivery carries the link it goes through (`link`, set when it is queued)
// and when it was queued (`queued_at`, again on a retry), so the bridge reads
// one link's waiting texts, oldest first, from one index and never reads
// those of a link that is down. docs/bridge.md, "A link that is down".

const SERVICE_WRITES_NOT = ' && @request.body.validity_s:isset = false';

migrate(
  (app) => {
    const links = app.findCollectionByNameOrId('smsc_links');
    links.fields.add(new NumberField({ name: 'validity_s', min: 1, max: 30 * 86400, onlyInt: true }));
    links.fields.add(new NumberField({ name: 'waiting', min: 0, onlyInt: true }));
    links.fields.add(new DateField({ name: 'waiting_since' }));
    links.fields.add(new DateField({ name: 'down_since' }));
    // the bridge writes live state only: the validity is the admin's
    links.updateRule = links.updateRule.slice(0, -1) + SERVICE_WRITES_NOT + ')';
    app.save(links);
    app.db().newQuery('UPDATE smsc_links SET validity_s = 86400 WHERE validity_s IS NULL OR validity_s = 0').execute();

    const deliveries = app.findCollectionByNameOrId('deliveries');
    deliveries.fields.add(new DateField({ name: 'queued_at' }));
    deliveries.addIndex('idx_deliveries_link_queue', false, 'status, link, queued_at', '');
    app.save(deliveries);
    // texts already waiting: their number's link, queued when they were created
    app.db().newQuery(
      "UPDATE deliveries SET queued_at = created WHERE queued_at = '' OR queued_at IS NULL",
    ).execute();
    app.db().newQuery(
      "UPDATE deliveries SET link = COALESCE((SELECT n.smsc_link FROM numbers n WHERE n.e164 = deliveries.[[from]]), '') " +
        "WHERE status = 'queued' AND (link = '' OR link IS NULL)",
    ).execute();
  },
  (app) => {
    const deliveries = app.findCollectionByNameOrId('deliveries');
    deliveries.removeIndex('idx_deliveries_link_queue');
    deliveries.fields.removeByName('queued_at');
    app.save(deliveries);
    const links = app.findCollectionByNameOrId('smsc_links');
    for (const f of ['validity_s', 'waiting', 'waiting_since', 'down_since']) links.fields.removeByName(f);
    links.updateRule = links.updateRule.replace(SERVICE_WRITES_NOT, '');
    app.save(links);
  },
);
