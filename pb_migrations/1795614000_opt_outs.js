/// <reference path="../build/pocketbase-types.d.ts" />
// Opt-outs: the STOP list per (phone, business number), its mark on the
// participant rows the UI shows, and the replies the keywords get.

const USER = '@request.auth.collectionName = "users"';
const ADMIN = USER + ' && @request.auth.role = "admin"';
const SERVICE = '@request.auth.collectionName = "services"';

migrate(
  (app) => {
    const numbers = app.findCollectionByNameOrId('numbers');
    const optOuts = new Collection({
      type: 'base',
      name: 'opt_outs',
      // compliance records: the admin (and the bridge) read them; members see
      // the mark on the participant and the reason on a refused send
      listRule: '(' + ADMIN + ') || ' + SERVICE,
      viewRule: '(' + ADMIN + ') || ' + SERVICE,
      createRule: null,
      updateRule: null,
      deleteRule: null,
      fields: [
        { name: 'phone', type: 'text', required: true, max: 20 },
        { name: 'our_number', type: 'relation', required: true, collectionId: numbers.id, maxSelect: 1, cascadeDelete: true },
        { name: 'keyword', type: 'text', max: 20 },
        { name: 'at', type: 'autodate', onCreate: true },
      ],
      indexes: ['CREATE UNIQUE INDEX idx_opt_outs ON opt_outs (phone, our_number)'],
    });
    app.save(optOuts);

    const participants = app.findCollectionByNameOrId('participants');
    participants.fields.add(new DateField({ name: 'opted_out_at' }));
    app.save(participants);

    // inbound routing asks "where did this number last text that phone from?"
    const deliveries = app.findCollectionByNameOrId('deliveries');
    deliveries.addIndex('idx_deliveries_route', false, '`to`, `from`, created', '');
    app.save(deliveries);

    const settings = app.findCollectionByNameOrId('settings');
    settings.fields.add(new TextField({ name: 'stop_reply', max: 160 }));
    settings.fields.add(new TextField({ name: 'start_reply', max: 160 }));
    settings.fields.add(new TextField({ name: 'help_reply', max: 160 }));
    app.save(settings);
    const row = app.findFirstRecordByFilter('settings', "id != ''");
    row.set('stop_reply', 'You are unsubscribed and will get no more texts from this number. Reply START to subscribe again.');
    row.set('start_reply', 'You are subscribed again. Reply STOP to unsubscribe.');
    row.set('help_reply', 'This number belongs to {label}. Reply STOP to unsubscribe.');
    app.save(row);
  },
  (app) => {
    app.delete(app.findCollectionByNameOrId('opt_outs'));
    const deliveries = app.findCollectionByNameOrId('deliveries');
    deliveries.removeIndex('idx_deliveries_route');
    app.save(deliveries);
    const participants = app.findCollectionByNameOrId('participants');
    participants.fields.removeByName('opted_out_at');
    app.save(participants);
    const settings = app.findCollectionByNameOrId('settings');
    for (const f of ['stop_reply', 'start_reply', 'help_reply']) settings.fields.removeByName(f);
    app.save(settings);
  },
);
