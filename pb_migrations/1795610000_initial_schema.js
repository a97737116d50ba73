/// <reference path="../build/pocketbase-types.d.ts" />
// The first schema: accounts, business numbers, conversations, participants,
// messages and settings, with explicit API rules on every collection.
// docs/security.md explains each rule; tests/integration/rules.test.ts proves them.

const USER = '@request.auth.collectionName = "users"';
const ADMIN = USER + ' && @request.auth.role = "admin"';
const SERVICE = '@request.auth.collectionName = "services"';
// the realtime hot path: one json_each over a relation column (a bare
// `members ?=` compares the raw JSON column in v0.39, hence `.id`)
const MEMBER_OF_CONVERSATION = USER + ' && conversation.members.id ?= @request.auth.id';

const autodates = () => [
  { name: 'created', type: 'autodate', onCreate: true },
  { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
];

migrate(
  (app) => {
    const numbers = new Collection({
      type: 'base',
      name: 'numbers',
      listRule: USER + ' || ' + SERVICE,
      viewRule: USER + ' || ' + SERVICE,
      createRule: ADMIN,
      updateRule: ADMIN,
      deleteRule: ADMIN,
      fields: [
        { name: 'e164', type: 'text', required: true, pattern: '^\\+[1-9][0-9]{6,14}$' },
        { name: 'label', type: 'text', max: 80 },
        { name: 'sms_enabled', type: 'bool' },
        { name: 'mode', type: 'select', values: ['direct', 'queue'], maxSelect: 1 },
        ...autodates(),
      ],
      indexes: ['CREATE UNIQUE INDEX idx_numbers_e164 ON numbers (e164)'],
    });
    app.save(numbers);

    const users = app.findCollectionByNameOrId('users');
    users.listRule = USER;
    users.viewRule = USER;
    users.createRule = ADMIN;
    // members change their own profile only; role, extension, email, numbers
    // and the disabled flag are an administrator's
    users.updateRule =
      '(' + ADMIN + ') || (' + USER + ' && id = @request.auth.id' +
      ' && @request.body.role:isset = false && @request.body.extension:isset = false' +
      ' && @request.body.disabled:isset = false && @request.body.sms_numbers:isset = false' +
      ' && @request.body.email:isset = false && @request.body.verified:isset = false' +
      ' && @request.body.emailVisibility:isset = false)';
    // users are disabled, never deleted, so their messages keep their author
    users.deleteRule = null;
    users.manageRule = ADMIN;
    users.authRule = 'disabled = false';
    users.passwordAuth.identityFields = ['email', 'extension'];
    users.fields.add(new TextField({ name: 'extension', required: true, pattern: '^[0-9]{2,6}$' }));
    users.fields.add(new SelectField({ name: 'role', required: true, values: ['admin', 'member'], maxSelect: 1 }));
    users.fields.add(new BoolField({ name: 'disabled' }));
    users.fields.add(new RelationField({ name: 'sms_numbers', collectionId: numbers.id, maxSelect: 100 }));
    users.fields.add(new RelationField({ name: 'default_number', collectionId: numbers.id, maxSelect: 1 }));
    users.fields.add(new BoolField({ name: 'alert_muted' }));
    users.addIndex('idx_users_extension', true, 'extension', '');
    app.save(users);

    const services = new Collection({
      type: 'auth',
      name: 'services',
      // machine accounts are made by a superuser (or the start script); a
      // service may read its own record and nothing about the others
      listRule: 'id = @request.auth.id',
      viewRule: 'id = @request.auth.id',
      createRule: null,
      updateRule: null,
      deleteRule: null,
      fields: [{ name: 'name', type: 'text', required: true, max: 80 }, ...autodates()],
    });
    services.passwordAuth.identityFields = ['email'];
    app.save(services);

    const conversations = new Collection({
      type: 'base',
      name: 'conversations',
      listRule: USER + ' && members.id ?= @request.auth.id',
      viewRule: USER + ' && members.id ?= @request.auth.id',
      // conversations are opened through hooks that fill members and keys
      createRule: null,
      updateRule: null,
      deleteRule: null,
      fields: [
        { name: 'kind', type: 'select', required: true, values: ['direct', 'group', 'sms'], maxSelect: 1 },
        { name: 'title', type: 'text', max: 100 },
        { name: 'our_number', type: 'relation', collectionId: numbers.id, maxSelect: 1 },
        // active internal participants, kept equal to participants by the hooks
        { name: 'members', type: 'relation', collectionId: users.id, maxSelect: 1000 },
        { name: 'created_by', type: 'relation', collectionId: users.id, maxSelect: 1 },
        { name: 'last_message_at', type: 'date' },
        { name: 'last_preview', type: 'text', max: 200 },
        { name: 'direct_key', type: 'text', max: 64 },
        { name: 'sms_key', type: 'text', max: 64 },
        ...autodates(),
      ],
      indexes: [
        "CREATE UNIQUE INDEX idx_conversations_direct_key ON conversations (direct_key) WHERE direct_key != ''",
        "CREATE UNIQUE INDEX idx_conversations_sms_key ON conversations (sms_key) WHERE sms_key != ''",
        'CREATE INDEX idx_conversations_last_message_at ON conversations (last_message_at)',
      ],
    });
    app.save(conversations);

    const participants = new Collection({
      type: 'base',
      name: 'participants',
      listRule: MEMBER_OF_CONVERSATION,
      viewRule: MEMBER_OF_CONVERSATION,
      createRule: null,
      // your own read position and mute switch; membership is the hooks' job
      updateRule:
        USER + ' && user = @request.auth.id && left_at = ""' +
        ' && @request.body.conversation:isset = false && @request.body.user:isset = false' +
        ' && @request.body.phone:isset = false && @request.body.left_at:isset = false',
      deleteRule: null,
      fields: [
        { name: 'conversation', type: 'relation', required: true, collectionId: conversations.id, maxSelect: 1, cascadeDelete: true },
        { name: 'user', type: 'relation', collectionId: users.id, maxSelect: 1 },
        { name: 'phone', type: 'text', pattern: '^\\+[1-9][0-9]{6,14}$' },
        { name: 'last_read_at', type: 'date' },
        { name: 'left_at', type: 'date' },
        { name: 'muted', type: 'bool' },
        ...autodates(),
      ],
      indexes: [
        "CREATE UNIQUE INDEX idx_participants_user ON participants (conversation, user) WHERE user != ''",
        "CREATE UNIQUE INDEX idx_participants_phone ON participants (conversation, phone) WHERE phone != ''",
        'CREATE INDEX idx_participants_by_user ON participants (user)',
      ],
    });
    app.save(participants);

    const messages = new Collection({
      type: 'base',
      name: 'messages',
      listRule: MEMBER_OF_CONVERSATION,
      viewRule: MEMBER_OF_CONVERSATION,
      // the hook sets author to the caller and refuses anything but plain text
      createRule: MEMBER_OF_CONVERSATION,
      updateRule: null,
      deleteRule: null,
      fields: [
        { name: 'conversation', type: 'relation', required: true, collectionId: conversations.id, maxSelect: 1, cascadeDelete: true },
        { name: 'author', type: 'relation', collectionId: users.id, maxSelect: 1 },
        { name: 'author_phone', type: 'text' },
        { name: 'body', type: 'text', max: 4000 },
        { name: 'kind', type: 'select', values: ['text', 'system'], maxSelect: 1 },
        { name: 'event', type: 'json', maxSize: 4000 },
        { name: 'client_key', type: 'text', max: 64 },
        ...autodates(),
      ],
      indexes: [
        'CREATE INDEX idx_messages_conversation_created ON messages (conversation, created)',
        "CREATE UNIQUE INDEX idx_messages_client_key ON messages (author, client_key) WHERE client_key != ''",
      ],
    });
    app.save(messages);

    const settings = new Collection({
      type: 'base',
      name: 'settings',
      listRule: USER + ' || ' + SERVICE,
      viewRule: USER + ' || ' + SERVICE,
      // one row, seeded here
      createRule: null,
      updateRule: ADMIN,
      deleteRule: null,
      fields: [
        { name: 'alert_tone', type: 'select', required: true, values: ['chime', 'ping', 'marimba', 'bell'], maxSelect: 1 },
        { name: 'default_country', type: 'text', required: true, pattern: '^[A-Z]{2}$' },
        { name: 'cnam_provider', type: 'json', maxSize: 4000 },
        { name: 'sms_name_prefix', type: 'text', max: 40 },
        ...autodates(),
      ],
    });
    app.save(settings);
    const row = new Record(settings);
    row.set('alert_tone', 'chime');
    row.set('default_country', 'US');
    row.set('sms_name_prefix', '{name}: ');
    app.save(row);

    // the limiter guards sign-in against password guessing; it is left off
    // for ordinary API traffic so a busy office behind one NAT address is not
    // throttled
    const s = app.settings();
    s.meta.appName = 'Messaging appliance';
    s.rateLimits.enabled = true;
    s.rateLimits.rules = [
      { label: '*:auth', audience: '', duration: 60, maxRequests: 10 },
      { label: '*:requestPasswordReset', audience: '', duration: 60, maxRequests: 3 },
      { label: 'POST /api/setup/', audience: '', duration: 60, maxRequests: 10 },
    ];
    app.save(s);
  },
  (app) => {
    for (const name of ['settings', 'messages', 'participants', 'conversations', 'services', 'numbers']) {
      if (name === 'numbers') {
        const users = app.findCollectionByNameOrId('users');
        for (const f of ['extension', 'role', 'disabled', 'sms_numbers', 'default_number', 'alert_muted']) {
          users.fields.removeByName(f);
        }
        users.removeIndex('idx_users_extension');
        users.passwordAuth.identityFields = ['email'];
        users.authRule = '';
        app.save(users);
      }
      app.delete(app.findCollectionByNameOrId(name));
    }
  },
);
