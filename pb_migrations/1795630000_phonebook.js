/// <reference path="../build/pocketbase-types.d.ts" />
// The phonebook: contacts (shared when `owner` is empty, else personal),
// contact_numbers (one row per number of a contact, kept in step by the
// hooks, for lookup by number and search by digits), caller_names (the CNAM
// cache) and the users flag that lets an administrator hand out editing of
// the shared phonebook. docs/phonebook.md explains the rules;
// tests/integration/rules.test.ts proves them.

const USER = '@request.auth.collectionName = "users"';
const ADMIN = USER + ' && @request.auth.role = "admin"';
const SERVICE = '@request.auth.collectionName = "services"';
// admins, and people an admin allows, edit the shared phonebook
const PHONEBOOK_EDITOR = '(@request.auth.role = "admin" || @request.auth.edit_phonebook = true)';
// yours, or shared: nobody else sees a personal contact
const VISIBLE = USER + ' && (owner = "" || owner = @request.auth.id)';
const EDITABLE = USER + ' && (owner = @request.auth.id || (owner = "" && ' + PHONEBOOK_EDITOR + '))';

migrate(
  (app) => {
    const users = app.findCollectionByNameOrId('users');
    users.fields.add(new BoolField({ name: 'edit_phonebook' }));
    // members may not grant it to themselves
    users.updateRule = users.updateRule.replace(
      '@request.body.verified:isset = false',
      '@request.body.verified:isset = false && @request.body.edit_phonebook:isset = false',
    );
    app.save(users);

    const contacts = new Collection({
      type: 'base',
      name: 'contacts',
      listRule: VISIBLE,
      viewRule: VISIBLE,
      // a personal contact is created with owner = the caller; a shared one
      // (no owner) by a phonebook editor
      createRule: EDITABLE,
      // nobody moves a contact between personal and shared by editing it
      updateRule: EDITABLE + ' && @request.body.owner:isset = false',
      deleteRule: EDITABLE,
      fields: [
        { name: 'name', type: 'text', required: true, max: 200 },
        { name: 'company', type: 'text', max: 200 },
        { name: 'owner', type: 'relation', collectionId: users.id, maxSelect: 1, cascadeDelete: true },
        // [{e164, label}], normalised by the hook
        { name: 'numbers', type: 'json', maxSize: 20000 },
        { name: 'email', type: 'text', max: 320 },
        { name: 'notes', type: 'text', max: 5000 },
        { name: 'created', type: 'autodate', onCreate: true },
        { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
      ],
      indexes: ['CREATE INDEX idx_contacts_owner_name ON contacts (owner, name)'],
    });
    app.save(contacts);

    const contactNumbers = new Collection({
      type: 'base',
      name: 'contact_numbers',
      listRule: VISIBLE,
      viewRule: VISIBLE,
      // written by the contacts hooks in the contact's transaction
      createRule: null,
      updateRule: null,
      deleteRule: null,
      fields: [
        { name: 'contact', type: 'relation', required: true, collectionId: contacts.id, maxSelect: 1, cascadeDelete: true },
        // a copy of the contact's owner, so the rule needs no join
        { name: 'owner', type: 'relation', collectionId: users.id, maxSelect: 1 },
        { name: 'e164', type: 'text', required: true, max: 20 },
        { name: 'label', type: 'text', max: 40 },
      ],
      indexes: [
        'CREATE INDEX idx_contact_numbers_e164 ON contact_numbers (e164, owner)',
        'CREATE INDEX idx_contact_numbers_contact ON contact_numbers (contact)',
      ],
    });
    app.save(contactNumbers);

    const callerNames = new Collection({
      type: 'base',
      name: 'caller_names',
      // a name the network gives a number is no secret among colleagues
      listRule: USER + ' || ' + SERVICE,
      viewRule: USER + ' || ' + SERVICE,
      // written by the lookup in the hooks
      createRule: null,
      updateRule: null,
      deleteRule: null,
      fields: [
        { name: 'phone', type: 'text', required: true, max: 20 },
        // empty: the provider knows no name (cached too, so it is not asked again before the TTL)
        { name: 'name', type: 'text', max: 200 },
        { name: 'source', type: 'text', max: 80 },
        { name: 'fetched_at', type: 'date' },
        // a lookup is wanted (a first text, an expired entry); cleared once done
        { name: 'wanted_at', type: 'date' },
        // a failed lookup: when to try again, and why it failed
        { name: 'retry_at', type: 'date' },
        { name: 'error', type: 'text', max: 500 },
      ],
      indexes: [
        'CREATE UNIQUE INDEX idx_caller_names_phone ON caller_names (phone)',
        "CREATE INDEX idx_caller_names_wanted ON caller_names (wanted_at) WHERE wanted_at != ''",
        'CREATE INDEX idx_caller_names_fetched ON caller_names (fetched_at)',
      ],
    });
    app.save(callerNames);

    // the provider's configuration may hold an API key: hidden from the
    // settings everyone reads, edited through /api/caller-names/provider
    const settings = app.findCollectionByNameOrId('settings');
    settings.fields.getByName('cnam_provider').hidden = true;
    app.save(settings);
  },
  (app) => {
    for (const name of ['caller_names', 'contact_numbers', 'contacts']) app.delete(app.findCollectionByNameOrId(name));
    const settings = app.findCollectionByNameOrId('settings');
    settings.fields.getByName('cnam_provider').hidden = false;
    app.save(settings);
    const users = app.findCollectionByNameOrId('users');
    users.fields.removeByName('edit_phonebook');
    users.updateRule = users.updateRule.replace(' && @request.body.edit_phonebook:isset = false', '');
    app.save(users);
  },
);
