/// <reference path="../build/pocketbase-types.d.ts" />
// The audit log: one row per administrative change (accounts, roles, number
// permissions, business numbers, SMSC links, settings), written by the hooks
// in the same transaction as the change and never editable through the API.
// Plus the hidden users field that remembers which password-reset notices a
// person has acknowledged. docs/security.md explains both; the rules are
// proved by tests/integration/rules.test.ts.

const USER = '@request.auth.collectionName = "users"';
const ADMIN = USER + ' && @request.auth.role = "admin"';

migrate(
  (app) => {
    const users = app.findCollectionByNameOrId('users');
    const audit = new Collection({
      type: 'base',
      name: 'audit_log',
      listRule: ADMIN,
      viewRule: ADMIN,
      // written by the hooks only; nobody edits or removes history
      createRule: null,
      updateRule: null,
      deleteRule: null,
      fields: [
        // empty for a superuser (the dashboard, the CLI)
        { name: 'actor', type: 'relation', collectionId: users.id, maxSelect: 1 },
        // kept as it was when the action happened, whatever the account is called later
        { name: 'actor_name', type: 'text', max: 200 },
        { name: 'action', type: 'text', required: true, max: 40 },
        { name: 'target_collection', type: 'text', max: 40 },
        { name: 'target_id', type: 'text', max: 40 },
        { name: 'target_label', type: 'text', max: 200 },
        // which fields changed, with old and new values except for secrets
        { name: 'details', type: 'json', maxSize: 20000 },
        { name: 'ip', type: 'text', max: 64 },
        { name: 'created', type: 'autodate', onCreate: true },
      ],
      indexes: [
        'CREATE INDEX idx_audit_log_created ON audit_log (created)',
        'CREATE INDEX idx_audit_log_action ON audit_log (action, created)',
        'CREATE INDEX idx_audit_log_target ON audit_log (target_id, action, created)',
      ],
    });
    app.save(audit);

    // hidden: only the hooks read and write it, members cannot set it
    users.fields.add(new DateField({ name: 'notices_seen_at', hidden: true }));
    app.save(users);
  },
  (app) => {
    app.delete(app.findCollectionByNameOrId('audit_log'));
    const users = app.findCollectionByNameOrId('users');
    users.fields.removeByName('notices_seen_at');
    app.save(users);
  },
);
