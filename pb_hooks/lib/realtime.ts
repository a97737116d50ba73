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
  | { type: 'caller_name'; caller_name: unknown };

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

/** findMembers returns the active internal members of a conversation. */
export function findMembers(app: CoreApp, conversationId: string): string[] {
  return app.findRecordById('conversations', conversationId).getStringSlice('members');
}
