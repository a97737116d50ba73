/// <reference path="../build/pocketbase-types.d.ts" />
// Message templates (issue 18): a name and a body with merge fields
// ({first_name|there}). Shared when `owner` is empty (made and edited by
// admins, read by every user), personal otherwise (its owner alone reads and
// edits it, admins included). The hooks check name and body
// (lib/templates.ts). docs/templates.md; rules.test.ts proves the rules.

const USER = '@request.auth.collectionName = "users"';
const ADMIN = '@request.auth.role = "admin"';
// yours, or shared: nobody else sees a personal template
const VISIBLE = USER + ' && (owner = "" || owner = @request.auth.id)';
const EDITABLE = USER + ' && (owner = @request.auth.id || (owner = "" && ' + ADMIN + '))';

migrate(
  (app) => {
    const users = app.findCollectionByNameOrId('users');
    const templates = new Collection({
      type: 'base',
      name: 'templates',
      listRule: VISIBLE,
      viewRule: VISIBLE,
      createRule: EDITABLE,
      // nobody moves a template between personal and shared by editing it
      updateRule: EDITABLE + ' && @request.body.owner:isset = false',
      deleteRule: EDITABLE,
      fields: [
        { name: 'name', type: 'text', required: true, max: 80 },
        { name: 'body', type: 'text', required: true, max: 6000 },
        { name: 'owner', type: 'relation', collectionId: users.id, maxSelect: 1, cascadeDelete: true },
        { name: 'created', type: 'autodate', onCreate: true },
        { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
      ],
      indexes: ['CREATE INDEX idx_templates_owner_name ON templates (owner, name)'],
    });
    app.save(templates);
  },
  (app) => {
    app.delete(app.findCollectionByNameOrId('templates'));
  },
);
