// The inbox: one custom realtime topic per signed-in client, fed by the hooks
// with exactly what each user may see (their conversations' messages, read
// positions, membership changes, typing). PocketBase's own collection
// subscriptions check the list rule with one SQL query per client per event,
// which at 200 clients capped sending at 40 messages/s
// (bench/results/realtime-collection-subscriptions.jsonl); here the check is
// a membership test in memory.

/** INBOX is the topic clients subscribe to with `pb.realtime.subscribe('inbox', …)`. */
export const INBOX = 'inbox';

/** InboxEvent is what an inbox subscriber receives. Records are in their REST form. */
export type InboxEvent =
  | { type: 'message'; message: unknown }
  | { type: 'conversation'; conversation: unknown }
  | { type: 'removed'; conversation: string }
  | { type: 'participant'; participant: unknown }
  | { type: 'delivery'; delivery: unknown; conversation: string }
  | { type: 'typing'; conversation: string; user: string; name: string; stopped?: boolean }
  | { type: 'queue'; queue: string; waiting: number; agents: { id: string; name: string }[]; removed?: boolean }
  | { type: 'contact'; contact: unknown; deleted: boolean }
  | { type: 'phonebook' }
  | { type: 'caller_name'; caller_name: unknown }
  | { type: 'scheduled'; scheduled: unknown };

/** doPublish sends an event to the inbox of every connected client signed in as one of the given active users, except `skip`. */
export function doPublish(app: CoreApp, users: string[], event: InboxEvent, skip = ''): void {
  if (users.length === 0) return;
  const wanted: { [id: string]: boolean } = {};
  for (const u of users) if (u !== skip) wanted[u] = true;
  const message = new SubscriptionMessage({ name: INBOX, data: JSON.stringify(event) });
  const clients = app.subscriptionsBroker().clients();
  for (const id in clients) {
    const client = clients[id];
    if (!client.hasSubscription(INBOX)) continue;
    const auth = client.get('auth');
    if (!auth || !wanted[auth.id] || auth.collection().name !== 'users' || auth.getBool('disabled')) continue;
    client.send(message);
  }
}

/**
 * QUEUED is the topic the SMS bridge subscribes to: every delivery created or
 * updated as `queued`, sent to clients signed in as a `services` account.
 * It replaces the bridge's collection subscription with a `status = "queued"`
 * filter, for which PocketBase ran one SQL query (the rule and the filter) on
 * every write of every delivery, three of four of them only to find the row
 * was not queued (docs/performance.md).
 */
export const QUEUED = 'queued_deliveries';

/** doPublishQueued hands a queued delivery to the connected bridges. */
export function doPublishQueued(app: CoreApp, action: 'create' | 'update', delivery: core.Record): void {
  let message: SubscriptionMessage | null = null;
  const clients = app.subscriptionsBroker().clients();
  for (const id in clients) {
    const client = clients[id];
    if (!client.hasSubscription(QUEUED)) continue;
    const auth = client.get('auth');
    if (!auth || auth.collection().name !== 'services') continue;
    message ??= new SubscriptionMessage({ name: QUEUED, data: JSON.stringify({ action, record: delivery }) });
    client.send(message);
  }
}

/**
 * BROADCASTS_DUE is the topic the bridge's broadcast worker waits on while no
 * broadcast runs: a broadcast started or resumed is work due at once. Only a
 * `services` account may subscribe (deploy/pocketbase/service_topics.go) and
 * only services clients are sent it. The worker would otherwise ask
 * `POST /api/broadcasts/release` every second of an idle day
 * (docs/broadcasts.md, "Pace").
 */
export const BROADCASTS_DUE = 'broadcasts_due';

/** doPublishBroadcastsDue wakes the connected broadcast workers; call it after the change is committed. */
export function doPublishBroadcastsDue(app: CoreApp, broadcast: string): void {
  let message: SubscriptionMessage | null = null;
  const clients = app.subscriptionsBroker().clients();
  for (const id in clients) {
    const client = clients[id];
    if (!client.hasSubscription(BROADCASTS_DUE)) continue;
    const auth = client.get('auth');
    if (!auth || auth.collection().name !== 'services') continue;
    message ??= new SubscriptionMessage({ name: BROADCASTS_DUE, data: JSON.stringify({ broadcast }) });
    client.send(message);
  }
}

/** findMessageMembers returns a message's conversation and its active internal members, in one query (a delivery's progress fans out by it). */
export function findMessageMembers(app: CoreApp, messageId: string): { conversation: string; members: string[] } {
  const row = new DynamicModel({ conversation: '', members: '' });
  app
    .db()
    .newQuery('SELECT m.conversation AS conversation, c.members AS members FROM messages m JOIN conversations c ON c.id = m.conversation WHERE m.id = {:id} LIMIT 1')
    .bind({ id: messageId })
    .one(row);
  let members: string[] = [];
  try {
    members = JSON.parse(row.members || '[]');
  } catch (_) {
    // an empty or malformed column reaches no one
  }
  return { conversation: row.conversation, members };
}

/** findMembers returns the active internal members of a conversation. */
export function findMembers(app: CoreApp, conversationId: string): string[] {
  return app.findRecordById('conversations', conversationId).getStringSlice('members');
}
