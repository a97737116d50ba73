/// <reference path="../build/pocketbase-types.d.ts" />
// SMS queues: a business number in queue mode hands customers' texts to a
// team of agents who claim, transfer, release and close them
// (docs/queues.md). A queue conversation is an `sms` thread with `queue` set;
// its `members` are who may read it right now (the logged-in agents while
// it waits, the claimer while claimed, the last owner once closed), so the
// existing rules on conversations, messages, participants and deliveries
// enforce queue access unchanged.

const USER = '@request.auth.collectionName = "users"';
const ADMIN = USER + ' && @request.auth.role = "admin"';

migrate(
  (app) => {
    const users = app.findCollectionByNameOrId('users');
    const queues = new Collection({
      type: 'base',
      name: 'queues',
      // agents see their queues (names, members for transfers); admins all
      listRule: '(' + ADMIN + ') || (' + USER + ' && members.id ?= @request.auth.id)',
      viewRule: '(' + ADMIN + ') || (' + USER + ' && members.id ?= @request.auth.id)',
      createRule: ADMIN,
      updateRule: ADMIN,
      // queues are archived, never deleted: their conversations keep them
      deleteRule: null,
      fields: [
        { name: 'name', type: 'text', required: true, max: 80 },
        { name: 'members', type: 'relation', collectionId: users.id, maxSelect: 500 },
        { name: 'greeting', type: 'text', max: 1000 },
        { name: 'away_reply', type: 'text', max: 1000 },
        { name: 'release_after_s', type: 'number', min: 0, onlyInt: true },
        { name: 'close_after_s', type: 'number', min: 0, onlyInt: true },
        { name: 'waiting_alert_after_s', type: 'number', min: 0, onlyInt: true },
        { name: 'archived', type: 'bool' },
        { name: 'created', type: 'autodate', onCreate: true },
        { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
      ],
    });
    app.save(queues);

    const logins = new Collection({
      type: 'base',
      name: 'queue_logins',
      // who is taking work, for the queue's agents and admins; written by the
      // login and logout routes only
      listRule: '(' + ADMIN + ') || (' + USER + ' && queue.members.id ?= @request.auth.id)',
      viewRule: '(' + ADMIN + ') || (' + USER + ' && queue.members.id ?= @request.auth.id)',
      createRule: null,
      updateRule: null,
      deleteRule: null,
      fields: [
        { name: 'queue', type: 'relation', required: true, collectionId: queues.id, maxSelect: 1, cascadeDelete: true },
        { name: 'user', type: 'relation', required: true, collectionId: users.id, maxSelect: 1, cascadeDelete: true },
        { name: 'active', type: 'bool' },
        { name: 'created', type: 'autodate', onCreate: true },
        { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
      ],
      indexes: ['CREATE UNIQUE INDEX idx_queue_logins ON queue_logins (queue, user)'],
    });
    app.save(logins);

    const numbers = app.findCollectionByNameOrId('numbers');
    numbers.fields.add(new RelationField({ name: 'queue', collectionId: queues.id, maxSelect: 1 }));
    app.save(numbers);

    const conversations = app.findCollectionByNameOrId('conversations');
    conversations.fields.add(new RelationField({ name: 'queue', collectionId: queues.id, maxSelect: 1 }));
    conversations.fields.add(new SelectField({ name: 'queue_state', values: ['waiting', 'claimed', 'closed'], maxSelect: 1 }));
    conversations.fields.add(new RelationField({ name: 'claimed_by', collectionId: users.id, maxSelect: 1 }));
    // the clocks of the timeouts and of the waiting list
    conversations.fields.add(new DateField({ name: 'waiting_since' }));
    conversations.fields.add(new DateField({ name: 'claimed_at' }));
    conversations.fields.add(new DateField({ name: 'last_customer_at' }));
    conversations.fields.add(new DateField({ name: 'last_agent_at' }));
    conversations.addIndex('idx_conversations_queue', false, 'queue, queue_state', '');
    app.save(conversations);
  },
  (app) => {
    const conversations = app.findCollectionByNameOrId('conversations');
    conversations.removeIndex('idx_conversations_queue');
    for (const f of ['queue', 'queue_state', 'claimed_by', 'waiting_since', 'claimed_at', 'last_customer_at', 'last_agent_at']) {
      conversations.fields.removeByName(f);
    }
    app.save(conversations);
    const numbers = app.findCollectionByNameOrId('numbers');
    numbers.fields.removeByName('queue');
    app.save(numbers);
    app.delete(app.findCollectionByNameOrId('queue_logins'));
    app.delete(app.findCollectionByNameOrId('queues'));
  },
);
