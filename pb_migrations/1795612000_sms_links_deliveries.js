/// <reference path="../build/pocketbase-types.d.ts" />
// SMS plumbing: SMPP links, the link a business number sends through, one
// delivery row per SMS leg, and the log of every text the bridge handed over.
// docs/security.md explains each rule; tests/integration/rules.test.ts proves them.

const USER = '@request.auth.collectionName = "users"';
const ADMIN = USER + ' && @request.auth.role = "admin"';
const SERVICE = '@request.auth.collectionName = "services"';

// what the bridge may write on a link: its live state, nothing of the configuration
const LINK_CONFIG = [
  'name', 'host', 'port', 'tls', 'tls_ca', 'tls_servername', 'system_id', 'password', 'system_type', 'bind',
  'window', 'max_per_second', 'enabled', 'ref16', 'id_format', 'default_alphabet',
  'source_ton', 'source_npi', 'dest_ton', 'dest_npi',
];

const autodates = () => [
  { name: 'created', type: 'autodate', onCreate: true },
  { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
];

migrate(
  (app) => {
    const links = new Collection({
      type: 'base',
      name: 'smsc_links',
      // passwords inside: admins and the bridge only
      listRule: '(' + ADMIN + ') || ' + SERVICE,
      viewRule: '(' + ADMIN + ') || ' + SERVICE,
      createRule: ADMIN,
      updateRule: '(' + ADMIN + ') || (' + SERVICE + LINK_CONFIG.map((f) => ` && @request.body.${f}:isset = false`).join('') + ')',
      deleteRule: ADMIN,
      fields: [
        { name: 'name', type: 'text', required: true, max: 80 },
        { name: 'host', type: 'text', required: true, max: 255 },
        { name: 'port', type: 'number', required: true, min: 1, max: 65535, onlyInt: true },
        { name: 'tls', type: 'bool' },
        { name: 'tls_ca', type: 'text', max: 20000 },
        { name: 'tls_servername', type: 'text', max: 255 },
        { name: 'system_id', type: 'text', required: true, max: 16 },
        { name: 'password', type: 'text', max: 9 },
        { name: 'system_type', type: 'text', max: 13 },
        { name: 'bind', type: 'select', required: true, values: ['trx', 'tx_rx'], maxSelect: 1 },
        { name: 'window', type: 'number', min: 1, max: 500, onlyInt: true },
        { name: 'max_per_second', type: 'number', min: 0, max: 10000 },
        { name: 'enabled', type: 'bool' },
        { name: 'ref16', type: 'bool' },
        { name: 'id_format', type: 'select', values: ['auto', 'raw', 'hex', 'decimal'], maxSelect: 1 },
        { name: 'default_alphabet', type: 'select', values: ['GSM7', 'IA5', 'LATIN1'], maxSelect: 1 },
        { name: 'source_ton', type: 'number', min: -1, max: 6, onlyInt: true },
        { name: 'source_npi', type: 'number', min: -1, max: 18, onlyInt: true },
        { name: 'dest_ton', type: 'number', min: -1, max: 6, onlyInt: true },
        { name: 'dest_npi', type: 'number', min: -1, max: 18, onlyInt: true },
        { name: 'state', type: 'select', values: ['disabled', 'connecting', 'bound', 'down', 'auth_failed'], maxSelect: 1 },
        { name: 'last_error', type: 'text', max: 500 },
        { name: 'state_at', type: 'date' },
        ...autodates(),
      ],
    });
    app.save(links);

    const numbers = app.findCollectionByNameOrId('numbers');
    numbers.fields.add(new RelationField({ name: 'smsc_link', collectionId: links.id, maxSelect: 1 }));
    app.save(numbers);

    const messages = app.findCollectionByNameOrId('messages');
    const deliveries = new Collection({
      type: 'base',
      name: 'deliveries',
      listRule: SERVICE + ' || (' + USER + ' && message.conversation.members.id ?= @request.auth.id)',
      viewRule: SERVICE + ' || (' + USER + ' && message.conversation.members.id ?= @request.auth.id)',
      // queued by the message hook; moved along by the bridge
      createRule: null,
      updateRule: SERVICE + ' && @request.body.message:isset = false && @request.body.to:isset = false' +
        ' && @request.body.from:isset = false && @request.body.body:isset = false',
      deleteRule: null,
      fields: [
        { name: 'message', type: 'relation', required: true, collectionId: messages.id, maxSelect: 1, cascadeDelete: true },
        { name: 'to', type: 'text', required: true, max: 20 },
        { name: 'from', type: 'text', required: true, max: 20 },
        { name: 'body', type: 'text', required: true, max: 5000 },
        { name: 'status', type: 'select', required: true, values: ['queued', 'sending', 'sent', 'delivered', 'failed'], maxSelect: 1 },
        { name: 'segments', type: 'number', onlyInt: true },
        { name: 'encoding', type: 'select', values: ['GSM-7', 'UCS-2'], maxSelect: 1 },
        { name: 'smsc_ids', type: 'json', maxSize: 4000 },
        { name: 'attempts', type: 'number', onlyInt: true },
        { name: 'next_attempt_at', type: 'date' },
        { name: 'error', type: 'text', max: 500 },
        { name: 'error_code', type: 'text', max: 40 },
        { name: 'link', type: 'relation', collectionId: links.id, maxSelect: 1 },
        { name: 'sent_at', type: 'date' },
        { name: 'done_at', type: 'date' },
        ...autodates(),
      ],
      indexes: [
        'CREATE INDEX idx_deliveries_status ON deliveries (status, next_attempt_at)',
        'CREATE INDEX idx_deliveries_message ON deliveries (message)',
      ],
    });
    app.save(deliveries);

    const conversations = app.findCollectionByNameOrId('conversations');
    const inbound = new Collection({
      type: 'base',
      name: 'inbound_log',
      // texts to unknown numbers wait here for the admin
      listRule: ADMIN,
      viewRule: ADMIN,
      createRule: null,
      updateRule: null,
      deleteRule: null,
      fields: [
        { name: 'smsc_link', type: 'relation', collectionId: links.id, maxSelect: 1 },
        { name: 'dedupe_key', type: 'text', required: true, max: 200 },
        { name: 'from', type: 'text', required: true, max: 32 },
        { name: 'to', type: 'text', required: true, max: 32 },
        { name: 'body', type: 'text', max: 20000 },
        { name: 'incomplete', type: 'bool' },
        { name: 'conversation', type: 'relation', collectionId: conversations.id, maxSelect: 1 },
        { name: 'received_at', type: 'autodate', onCreate: true },
      ],
      indexes: ['CREATE UNIQUE INDEX idx_inbound_log_dedupe ON inbound_log (dedupe_key)'],
    });
    app.save(inbound);
  },
  (app) => {
    for (const name of ['inbound_log', 'deliveries']) app.delete(app.findCollectionByNameOrId(name));
    const numbers = app.findCollectionByNameOrId('numbers');
    numbers.fields.removeByName('smsc_link');
    app.save(numbers);
    app.delete(app.findCollectionByNameOrId('smsc_links'));
  },
);
