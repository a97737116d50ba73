/// <reference path="../build/pocketbase-types.d.ts" />
// Integrations (issue 18): other systems text through the HTTP API with an
// API key and hear about inbound texts and delivery changes by signed
// webhooks. docs/integrations.md explains each field; the rules are proved
// by tests/integration/rules.test.ts.
//
// - `integrations`: one per connected system. The key itself is never
//   stored: `key_hash` is its SHA-256 (hidden, unique), `key_prefix` the
//   first characters shown in lists. Created and revoked through
//   /api/integrations routes (the key is shown once); an admin edits the
//   rest through the record API. The bridge reads `webhook_secret` to sign.
// - `webhook_calls`: the durable queue of webhook calls, written in the same
//   transaction as the text or delivery change they announce; the bridge's
//   worker sends them and writes the outcome.
// - `messages.integration` / `integration_name`: a text sent through the API
//   has no `author`; it names its integration instead (and its name at the
//   time, for members, who cannot read integrations). The client-key index
//   now includes the integration, so two systems' keys never collide.

const USER = '@request.auth.collectionName = "users"';
const ADMIN = USER + ' && @request.auth.role = "admin"';
const SERVICE = '@request.auth.collectionName = "services"';

// fields only the hooks write: the key, its use and its revocation
const KEPT = ['key_hash', 'key_prefix', 'revoked_at', 'last_used_at', 'last_used_ip', 'created_by', 'webhook_secret'];

migrate(
  (app) => {
    const users = app.findCollectionByNameOrId('users');
    const numbers = app.findCollectionByNameOrId('numbers');
    const integrations = new Collection({
      type: 'base',
      name: 'integrations',
      listRule: ADMIN + ' || ' + SERVICE,
      viewRule: ADMIN + ' || ' + SERVICE,
      createRule: null,
      updateRule: ADMIN + KEPT.map((f) => ` && @request.body.${f}:isset = false`).join(''),
      // revoked, never deleted: the texts it sent keep their marker
      deleteRule: null,
      fields: [
        { name: 'name', type: 'text', required: true, max: 100 },
        { name: 'key_prefix', type: 'text', max: 20 },
        { name: 'key_hash', type: 'text', max: 64, hidden: true },
        // the business numbers it may text from; default_number when `from` is left out
        { name: 'numbers', type: 'relation', collectionId: numbers.id, maxSelect: 100 },
        { name: 'default_number', type: 'relation', collectionId: numbers.id, maxSelect: 1 },
        { name: 'scope_send', type: 'bool' },
        { name: 'scope_status', type: 'bool' },
        { name: 'scope_webhooks', type: 'bool' },
        // addresses and CIDR ranges, one per line or comma separated; empty = any
        { name: 'ip_allowlist', type: 'text', max: 2000 },
        { name: 'rate_per_minute', type: 'number', min: 1, max: 100000, onlyInt: true },
        { name: 'webhook_inbound_url', type: 'url' },
        { name: 'webhook_status_url', type: 'url' },
        { name: 'webhook_secret', type: 'text', max: 100 },
        { name: 'revoked_at', type: 'date' },
        { name: 'last_used_at', type: 'date' },
        { name: 'last_used_ip', type: 'text', max: 64 },
        { name: 'created_by', type: 'relation', collectionId: users.id, maxSelect: 1 },
        { name: 'created', type: 'autodate', onCreate: true },
        { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
      ],
      indexes: ["CREATE UNIQUE INDEX idx_integrations_key_hash ON integrations (key_hash) WHERE key_hash != ''"],
    });
    app.save(integrations);

    const calls = new Collection({
      type: 'base',
      name: 'webhook_calls',
      listRule: ADMIN + ' || ' + SERVICE,
      viewRule: ADMIN + ' || ' + SERVICE,
      createRule: null,
      // the worker writes the outcome; what is sent where is fixed at enqueue
      updateRule:
        SERVICE +
        ' && @request.body.integration:isset = false && @request.body.url:isset = false && @request.body.payload:isset = false && @request.body.event:isset = false',
      deleteRule: null,
      fields: [
        { name: 'integration', type: 'relation', required: true, collectionId: integrations.id, maxSelect: 1, cascadeDelete: true },
        { name: 'event', type: 'select', required: true, values: ['sms.inbound', 'sms.delivery'], maxSelect: 1 },
        { name: 'url', type: 'url', required: true },
        { name: 'payload', type: 'json', maxSize: 60000 },
        { name: 'status', type: 'select', required: true, values: ['pending', 'done', 'failed'], maxSelect: 1 },
        { name: 'attempts', type: 'number', min: 0, onlyInt: true },
        { name: 'next_attempt_at', type: 'date' },
        { name: 'last_status_code', type: 'number', onlyInt: true },
        { name: 'last_error', type: 'text', max: 500 },
        { name: 'last_attempt_at', type: 'date' },
        { name: 'done_at', type: 'date' },
        { name: 'created', type: 'autodate', onCreate: true },
        { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
      ],
      indexes: [
        'CREATE INDEX idx_webhook_calls_due ON webhook_calls (status, next_attempt_at)',
        'CREATE INDEX idx_webhook_calls_created ON webhook_calls (created)',
      ],
    });
    app.save(calls);

    const messages = app.findCollectionByNameOrId('messages');
    messages.fields.add(new RelationField({ name: 'integration', collectionId: integrations.id, maxSelect: 1 }));
    messages.fields.add(new TextField({ name: 'integration_name', max: 100 }));
    messages.removeIndex('idx_messages_client_key');
    messages.addIndex('idx_messages_client_key', true, 'author, integration, client_key', "client_key != ''");
    app.save(messages);
  },
  (app) => {
    const messages = app.findCollectionByNameOrId('messages');
    messages.removeIndex('idx_messages_client_key');
    messages.fields.removeByName('integration');
    messages.fields.removeByName('integration_name');
    messages.addIndex('idx_messages_client_key', true, 'author, client_key', "client_key != ''");
    app.save(messages);
    app.delete(app.findCollectionByNameOrId('webhook_calls'));
    app.delete(app.findCollectionByNameOrId('integrations'));
  },
);
