/// <reference path="../build/pocketbase-types.d.ts" />
// GSM modem gateways as first-class links (issue 17). A link has a kind
// (`carrier` or `gsm_gateway`) whose defaults the admin page fills in, and
// per-link keepalive and reconnect timings (0 reads as the kind's default),
// whether receipts are expected (`receipts`: 'expected' | 'none', '' the kind's
// default) and how long to wait for one, and the unit
// its rate is shown in. The bridge writes health figures on the link:
// `bound_since`, `enquire_rtt_ms` (the last enquire_link round trip),
// `reconnects_1h`, `last_drop` (why the last bound session ended). A delivery says what became of its receipt in `report`
// ('awaited', 'not_expected', 'missing'); `status` keeps its values.
// docs/bridge.md, "GSM gateways".

const CONFIG = [
  'kind', 'enquire_link_s', 'enquire_link_timeout_s', 'inactivity_s', 'reconnect_min_s', 'reconnect_max_s',
  'receipts', 'receipt_timeout_s', 'rate_unit',
];
const SERVICE_WRITES_NOT = CONFIG.map((f) => ` && @request.body.${f}:isset = false`).join('');

migrate(
  (app) => {
    const links = app.findCollectionByNameOrId('smsc_links');
    links.fields.add(new SelectField({ name: 'kind', values: ['carrier', 'gsm_gateway'], maxSelect: 1 }));
    links.fields.add(new NumberField({ name: 'enquire_link_s', min: 0, max: 3600 }));
    links.fields.add(new NumberField({ name: 'enquire_link_timeout_s', min: 0, max: 600 }));
    links.fields.add(new NumberField({ name: 'inactivity_s', min: 0, max: 86400 }));
    links.fields.add(new NumberField({ name: 'reconnect_min_s', min: 0, max: 3600 }));
    links.fields.add(new NumberField({ name: 'reconnect_max_s', min: 0, max: 86400 }));
    links.fields.add(new SelectField({ name: 'receipts', values: ['expected', 'none'], maxSelect: 1 }));
    links.fields.add(new NumberField({ name: 'receipt_timeout_s', min: 0, max: 30 * 86400 }));
    links.fields.add(new SelectField({ name: 'rate_unit', values: ['second', 'minute'], maxSelect: 1 }));
    // live health, written by the bridge
    links.fields.add(new DateField({ name: 'bound_since' }));
    links.fields.add(new NumberField({ name: 'enquire_rtt_ms', min: 0 }));
    links.fields.add(new NumberField({ name: 'reconnects_1h', min: 0, onlyInt: true }));
    // why the last bound session ended (last_error is cleared once bound again)
    links.fields.add(new TextField({ name: 'last_drop', max: 500 }));
    links.updateRule = links.updateRule.slice(0, -1) + SERVICE_WRITES_NOT + ')';
    app.save(links);
    // links made before kinds existed are carriers that send receipts ('' reads the same)
    app.db().newQuery("UPDATE smsc_links SET kind = 'carrier', receipts = 'expected', rate_unit = 'second' WHERE kind = '' OR kind IS NULL").execute();

    const deliveries = app.findCollectionByNameOrId('deliveries');
    deliveries.fields.add(new SelectField({ name: 'report', values: ['awaited', 'not_expected', 'missing'], maxSelect: 1 }));
    // the bridge finds a link's overdue receipts with one range read
    deliveries.addIndex('idx_deliveries_report', false, 'status, report, link, sent_at', '');
    app.save(deliveries);
  },
  (app) => {
    const deliveries = app.findCollectionByNameOrId('deliveries');
    deliveries.removeIndex('idx_deliveries_report');
    deliveries.fields.removeByName('report');
    app.save(deliveries);
    const links = app.findCollectionByNameOrId('smsc_links');
    for (const f of [...CONFIG, 'bound_since', 'enquire_rtt_ms', 'reconnects_1h', 'last_drop']) links.fields.removeByName(f);
    links.updateRule = links.updateRule.replace(SERVICE_WRITES_NOT, '');
    app.save(links);
  },
);
