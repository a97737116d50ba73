// SMS queues in PocketBase: agents logging in and out, customers' texts to a
// queue number, claim / transfer / release / close, the timeouts sweep and
// the live counts. The decisions are src/lib/domain/queue.ts; this module
// applies them. A queue conversation's `members` are who may read it now:
// the logged-in agents while it waits, its owner while claimed, the last
// owner once closed (docs/queues.md). Routes parse and answer; every do*
// takes the app, the actor and plain arguments.
import { badField } from './http';
import { doPublish } from './realtime';
import { findSettings } from './settings';
import { doSystemLine } from './threads';
import { doPublishMoved, doSyncMembers, type Moved } from './numbers';
import { doAddPhone } from './phones';
import { doAutoReply } from './outbound';
import { smsKey } from './sms';
import { decide, releaseDue, closeDue, QUEUE_DEFAULTS, type Agent, type QueueAction, type QueueState, type QueueThread } from '../../src/lib/domain/queue';
import { formatPhone } from '../../src/lib/domain/phone';

/** QueueSummary is what an agent's sidebar shows of one of their queues. */
export interface QueueSummary {
  id: string;
  name: string;
  logged_in: boolean;
  waiting: number;
  agents: { id: string; name: string }[];
  waiting_alert_after_s: number;
}

/** accessQueue returns a queue that is not archived, else 404. */
export function accessQueue(app: CoreApp, id: string): core.Record {
  try {
    const q = app.findRecordById('queues', id);
    if (!q.getBool('archived')) return q;
  } catch (_) {
    // falls through
  }
  throw new NotFoundError('This queue does not exist.', null);
}

/** findNumberQueue returns the live queue a number in queue mode sends its texts to, if any. */
export function findNumberQueue(app: CoreApp, number: core.Record): core.Record | null {
  if (number.getString('mode') !== 'queue' || !number.getString('queue')) return null;
  try {
    return accessQueue(app, number.getString('queue'));
  } catch (_) {
    return null; // archived under it: treated as direct, nothing lost
  }
}

/** findLoggedIn returns the agents logged in to a queue: members, active, not disabled. */
export function findLoggedIn(app: CoreApp, queue: core.Record): string[] {
  const members = queue.getStringSlice('members');
  if (members.length === 0) return [];
  return app
    .findRecordsByFilter('queue_logins', 'queue = {:q} && active = true && user.disabled = false', 'created', 0, 0, { q: queue.id })
    .map((l) => l!.getString('user'))
    .filter((u) => members.includes(u));
}

/** agentOf describes a user as the queue sees them. */
export function agentOf(app: CoreApp, queue: core.Record, user: core.Record, loggedIn = findLoggedIn(app, queue)): Agent {
  return {
    id: user.id,
    name: user.getString('name'),
    member: queue.getStringSlice('members').includes(user.id) && !user.getBool('disabled'),
    loggedIn: loggedIn.includes(user.id),
  };
}

function threadOf(c: core.Record): QueueThread {
  return { state: (c.getString('queue_state') || 'waiting') as QueueState, owner: c.getString('claimed_by') };
}

function nameOf(app: CoreApp, userId: string): string {
  if (!userId) return '';
  try {
    return app.findRecordById('users', userId).getString('name');
  } catch (_) {
    return 'someone';
  }
}

/** namesOf returns users' ids and names in the given order, in one query. */
function namesOf(app: CoreApp, ids: string[]): { id: string; name: string }[] {
  if (ids.length === 0) return [];
  const found = app.findRecordsByIds('users', ids) as core.Record[];
  return ids.map((id) => ({ id, name: found.find((u) => u.id === id)?.getString('name') ?? 'someone' }));
}

/** timeoutOf reads a queue's timeout in seconds, falling back to the default for an unset one. */
export function timeoutOf(queue: core.Record, field: keyof typeof QUEUE_DEFAULTS): number {
  const raw = queue.get(field);
  return raw === null || raw === undefined || raw === '' ? QUEUE_DEFAULTS[field] : queue.getInt(field);
}

/**
 * doApply moves a queue conversation to the state a transition decided:
 * fields, members (with participant rows), then the system line, in the
 * caller's transaction. Returns who lost sight of it.
 */
function doApply(app: CoreApp, c: core.Record, queue: core.Record, next: QueueThread, line: { text: string; event: object } | null, actor: core.Record | null): Moved {
  const before = threadOf(c);
  const now = new DateTime();
  c.set('queue_state', next.state);
  c.set('claimed_by', next.owner);
  if (next.state === 'waiting' && before.state !== 'waiting') c.set('waiting_since', now);
  if (next.state === 'claimed' && before.owner !== next.owner) c.set('claimed_at', now);
  const readers = next.state === 'waiting' ? findLoggedIn(app, queue) : next.owner ? [next.owner] : [];
  const { removed } = doSyncMembers(app, c, readers);
  app.save(c);
  // after the save: the line moves last_message_at with a direct write
  if (line) doSystemLine(app, c, actor, line.text, line.event);
  return removed.length ? [{ conversation: c.id, users: removed }] : [];
}

/** QueueChange is what a transition left to tell once committed: who lost a conversation, and which queue's counts moved. */
export interface QueueChange {
  moved: Moved;
  queues: string[];
}

/** doPublishQueueChange sends, after the commit, the `removed` events and each touched queue's counts to its agents. */
export function doPublishQueueChange(app: CoreApp, change: QueueChange): void {
  doPublishMoved(app, change.moved);
  for (const id of [...new Set(change.queues)]) {
    let queue: core.Record;
    try {
      queue = app.findRecordById('queues', id);
    } catch (_) {
      continue;
    }
    const members = queue.getStringSlice('members');
    const loggedIn = findLoggedIn(app, queue);
    const waiting = countWaiting(app, id);
    doPublish(app, members, { type: 'queue', queue: id, waiting, agents: namesOf(app, loggedIn) });
  }
}

function countWaiting(app: CoreApp, queueId: string): number {
  return app.countRecords('conversations', $dbx.hashExp({ queue: queueId, queue_state: 'waiting' }));
}

/** findMyQueues returns the caller's queues with their login state and waiting counts (the count, not the texts, when logged out). */
export function findMyQueues(app: CoreApp, userId: string): QueueSummary[] {
  const queues = app.findRecordsByFilter('queues', 'archived = false && members ~ {:u}', 'name', 0, 0, { u: userId });
  return queues.map((q) => {
    const loggedIn = findLoggedIn(app, q!);
    return {
      id: q!.id,
      name: q!.getString('name'),
      logged_in: loggedIn.includes(userId),
      waiting: countWaiting(app, q!.id),
      agents: namesOf(app, loggedIn),
      waiting_alert_after_s: timeoutOf(q!, 'waiting_alert_after_s'),
    };
  });
}

/**
 * doQueueLogin logs an agent in to a queue (they see its waiting
 * conversations) or out (they stop seeing them, and their claims go back
 * to waiting), in one transaction.
 */
export function doQueueLogin(app: CoreApp, user: core.Record, queueId: string, active: boolean): QueueChange {
  const change: QueueChange = { moved: [], queues: [queueId] };
  app.runInTransaction((tx) => {
    const queue = accessQueue(tx, queueId);
    if (active && !queue.getStringSlice('members').includes(user.id)) {
      throw new ForbiddenError(`You are not an agent of ${queue.getString('name')}.`, null);
    }
    let login: core.Record;
    try {
      login = tx.findFirstRecordByFilter('queue_logins', 'queue = {:q} && user = {:u}', { q: queueId, u: user.id });
    } catch (_) {
      if (!active) return; // never logged in: nothing to hand back
      login = new Record(tx.findCollectionByNameOrId('queue_logins'));
      login.set('queue', queueId);
      login.set('user', user.id);
    }
    login.set('active', active);
    tx.save(login);
    change.moved.push(...doFollowQueue(tx, queue, active ? null : user));
  });
  return change;
}

/**
 * doFollowQueue brings a queue's open conversations in line with who is
 * logged in: waiting ones are read by exactly the logged-in agents; when
 * `leaving` logs out, their claims are handed back first.
 */
function doFollowQueue(app: CoreApp, queue: core.Record, leaving: core.Record | null): Moved {
  const moved: Moved = [];
  if (leaving) {
    const claims = app.findRecordsByFilter('conversations', "queue = {:q} && queue_state = 'claimed' && claimed_by = {:u}", '', 0, 0, { q: queue.id, u: leaving.id });
    const agent = agentOf(app, queue, leaving, []);
    for (const c of claims) {
      const t = decide(threadOf(c!), { type: 'logout', by: agent }, { owner: agent.name, queue: queue.getString('name') });
      if (t.ok) moved.push(...doApply(app, c!, queue, t.next, t.line, null));
    }
  }
  const readers = findLoggedIn(app, queue);
  const waiting = app.findRecordsByFilter('conversations', "queue = {:q} && queue_state = 'waiting'", '', 0, 0, { q: queue.id });
  for (const c of waiting) {
    const { changed, removed } = doSyncMembers(app, c!, readers);
    if (changed) app.save(c!);
    if (removed.length) moved.push({ conversation: c!.id, users: removed });
  }
  return moved;
}

/** QueueCommand is an agent's action on a conversation, as the routes parse it. */
export type QueueCommand = { type: 'claim' } | { type: 'release' } | { type: 'close'; reason: string } | { type: 'transfer'; to: string };

/**
 * doQueueCommand claims, transfers, releases or closes a queue conversation
 * for an agent: one transaction that reads the current state, so of two
 * agents claiming at once one wins and the other hears who did.
 */
export function doQueueCommand(app: CoreApp, actor: core.Record, conversationId: string, command: QueueCommand): { conversation: core.Record; change: QueueChange } {
  let result: core.Record | undefined;
  const change: QueueChange = { moved: [], queues: [] };
  app.runInTransaction((tx) => {
    let c: core.Record;
    try {
      c = tx.findRecordById('conversations', conversationId);
    } catch (_) {
      throw new NotFoundError('This conversation does not exist.', null);
    }
    const queueId = c.getString('queue');
    if (!queueId) {
      if (!c.getStringSlice('members').includes(actor.id)) throw new NotFoundError('This conversation does not exist.', null);
      throw new BadRequestError('This conversation is not in a queue.', null);
    }
    const queue = tx.findRecordById('queues', queueId);
    const loggedIn = findLoggedIn(tx, queue);
    const me = agentOf(tx, queue, actor, loggedIn);
    // only those who may read it may learn anything about it
    if (!me.member && !c.getStringSlice('members').includes(actor.id)) {
      throw new NotFoundError('This conversation does not exist.', null);
    }
    let action: QueueAction;
    if (command.type === 'transfer') {
      let to: core.Record;
      try {
        to = tx.findRecordById('users', command.to);
      } catch (_) {
        badField('to', 'Pick a colleague to transfer to.');
      }
      action = { type: 'transfer', by: me, to: agentOf(tx, queue, to, loggedIn) };
    } else if (command.type === 'close') {
      action = { type: 'close', by: me, reason: command.reason };
    } else {
      action = { type: command.type, by: me };
    }
    const t = decide(threadOf(c), action, { owner: nameOf(tx, c.getString('claimed_by')), queue: queue.getString('name') });
    if (!t.ok) {
      if (t.status === 409) throw new ApiError(409, t.error, null);
      if (t.status === 403) throw new ForbiddenError(t.error, null);
      throw new BadRequestError(t.error, null);
    }
    change.moved.push(...doApply(tx, c, queue, t.next, t.line, actor));
    change.queues.push(queueId);
    result = tx.findRecordById('conversations', c.id);
  });
  return { conversation: result!, change };
}

/**
 * doQueueText routes a customer's text to a queue number: the customer's one
 * thread on that number (created waiting, or reopened from closed, or moved
 * into the queue if it was a direct thread before the number switched
 * modes), returned before the message is written. `greet` says whether the
 * conversation just started waiting (the greeting or the away reply is due
 * once the message is stored).
 */
export function doQueueText(app: CoreApp, number: core.Record, queue: core.Record, phone: string): { conversation: core.Record; greet: boolean; moved: Moved } {
  const key = smsKey(number.id, phone);
  let c: core.Record | undefined;
  try {
    c = app.findFirstRecordByData('conversations', 'sms_key', key);
  } catch (_) {
    // first text from this customer to this number
  }
  const name = queue.getString('name');
  if (!c) {
    c = new Record(app.findCollectionByNameOrId('conversations'));
    c.set('kind', 'sms');
    c.set('our_number', number.id);
    c.set('sms_key', key);
    c.set('queue', queue.id);
    c.set('queue_state', 'waiting');
    c.set('waiting_since', new DateTime());
    c.set('members', []);
    app.save(c);
    doAddPhone(app, c, phone);
    const moved = doApply(app, c, queue, { state: 'waiting', owner: '' }, { text: `Waiting in ${name}`, event: { type: 'queue_waiting', queue: queue.id } }, null);
    return { conversation: c, greet: true, moved };
  }
  if (c.getString('queue') !== queue.id) {
    // a direct thread (or another queue's) from before the number's switch
    c.set('queue', queue.id);
    c.set('queue_state', 'closed');
    c.set('claimed_by', '');
    const moved = doApply(app, c, queue, { state: 'waiting', owner: '' }, { text: `Waiting in ${name}`, event: { type: 'queue_waiting', queue: queue.id } }, null);
    return { conversation: c, greet: true, moved };
  }
  const t = decide(threadOf(c), { type: 'text' }, { owner: '', queue: name });
  if (!t.ok || !t.line) return { conversation: c, greet: false, moved: [] };
  return { conversation: c, greet: t.greet, moved: doApply(app, c, queue, t.next, t.line, null) };
}

/** doAfterCustomerText stamps the customer's text on a queue conversation and sends the greeting (or the away reply when nobody is logged in) when it just started waiting. */
export function doAfterCustomerText(app: CoreApp, c: core.Record, number: core.Record, queue: core.Record, phone: string, greet: boolean): void {
  app
    .db()
    .newQuery('UPDATE conversations SET last_customer_at = {:at} WHERE id = {:id}')
    .bind({ at: new DateTime().string(), id: c.id })
    .execute();
  if (!greet) return;
  const nobody = findLoggedIn(app, queue).length === 0;
  const away = queue.getString('away_reply').trim();
  const greeting = queue.getString('greeting').trim();
  if (nobody && away) {
    doAutoReply(app, c, number, phone, 'Sent the away reply: nobody is logged in', away, { type: 'queue_away', phone });
  } else if (greeting) {
    doAutoReply(app, c, number, phone, 'Greeting sent', greeting, { type: 'queue_greeting', phone });
  }
}

/**
 * checkQueuePost refuses a message into a queue conversation from anyone but
 * its owner (and a reply to a waiting one before it is claimed). Called
 * before the send and again inside its transaction (doQueuePosted).
 */
export function checkQueuePost(app: CoreApp, c: core.Record, author: core.Record): QueueThread | null {
  const queueId = c.getString('queue');
  if (!queueId) return null;
  const queue = app.findRecordById('queues', queueId);
  const t = decide(threadOf(c), { type: 'post', by: agentOf(app, queue, author) }, { owner: nameOf(app, c.getString('claimed_by')), queue: queue.getString('name') });
  if (!t.ok) badField('body', t.error);
  return t.next;
}

/** doQueuePosted records an agent's reply on a queue conversation (the release clock stops), reopening a closed one they owned. */
export function doQueuePosted(app: CoreApp, conversationId: string, author: core.Record): QueueChange {
  const c = app.findRecordById('conversations', conversationId);
  const queueId = c.getString('queue');
  if (!queueId) return { moved: [], queues: [] };
  const queue = app.findRecordById('queues', queueId);
  const t = decide(threadOf(c), { type: 'post', by: agentOf(app, queue, author) }, { owner: nameOf(app, c.getString('claimed_by')), queue: queue.getString('name') });
  if (!t.ok) badField('body', t.error);
  c.set('last_agent_at', new DateTime());
  if (!t.line) {
    app.save(c);
    return { moved: [], queues: [] };
  }
  return { moved: doApply(app, c, queue, t.next, t.line, author), queues: [queueId] };
}

/**
 * doSweep applies the timeouts: a claim whose latest customer text has no
 * reply for the queue's release timeout goes back to waiting; a
 * conversation quiet for the close timeout closes. `now` in epoch ms.
 */
export function doSweep(app: CoreApp, now: number): { released: number; closed: number; change: QueueChange } {
  const result = { released: 0, closed: 0, change: { moved: [], queues: [] } as QueueChange };
  const ms = (c: core.Record, f: string) => {
    const d = c.getDateTime(f);
    return d.isZero() ? 0 : d.unix() * 1000;
  };
  const open = app.findRecordsByFilter('conversations', "queue != '' && queue_state != 'closed' && queue_state != ''", '', 0, 0);
  for (const stale of open) {
    app.runInTransaction((tx) => {
      // read again inside the transaction: an agent may have acted meanwhile
      const c = tx.findRecordById('conversations', stale!.id);
      const queue = tx.findRecordById('queues', c.getString('queue'));
      const thread = threadOf(c);
      const names = { owner: nameOf(tx, thread.owner), queue: queue.getString('name') };
      const closeAfter = timeoutOf(queue, 'close_after_s');
      const releaseAfter = timeoutOf(queue, 'release_after_s');
      let action: QueueAction | null = null;
      if (closeDue(ms(c, 'last_message_at') || ms(c, 'created'), closeAfter, now)) {
        action = { type: 'timeout_close', hours: round(closeAfter / 3600) };
      } else if (thread.state === 'claimed' && releaseDue(ms(c, 'claimed_at'), ms(c, 'last_customer_at'), ms(c, 'last_agent_at'), releaseAfter, now)) {
        action = { type: 'timeout_release', minutes: round(releaseAfter / 60) };
      }
      if (!action) return;
      const t = decide(thread, action, names);
      if (!t.ok || !t.line) return;
      result.change.moved.push(...doApply(tx, c, queue, t.next, t.line, null));
      result.change.queues.push(queue.id);
      if (action.type === 'timeout_close') result.closed++;
      else result.released++;
    });
  }
  return result;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** doLeaveQueues logs a user out of every queue (disabled, or taken out of a queue's members), handing their claims back. */
export function doLeaveQueues(app: CoreApp, user: core.Record, onlyQueue = ''): QueueChange {
  const change: QueueChange = { moved: [], queues: [] };
  const logins = app.findRecordsByFilter('queue_logins', 'user = {:u} && active = true', '', 0, 0, { u: user.id });
  for (const login of logins) {
    const queueId = login!.getString('queue');
    if (onlyQueue && queueId !== onlyQueue) continue;
    login!.set('active', false);
    app.save(login!);
    const queue = app.findRecordById('queues', queueId);
    change.moved.push(...doFollowQueue(app, queue, user));
    change.queues.push(queueId);
  }
  return change;
}

/** doUpdateQueue saves an admin's change to a queue; agents taken out of it are logged out and their claims handed back, in one transaction. */
export function doUpdateQueue(e: core.RecordRequestEvent): void {
  const record = e.record!;
  const before = record.original().getStringSlice('members');
  const after = record.getStringSlice('members');
  checkQueue(e.app, record);
  const app = e.app;
  const change: QueueChange = { moved: [], queues: [record.id] };
  try {
    app.runInTransaction((tx) => {
      e.app = tx;
      e.next();
      for (const userId of before.filter((u) => !after.includes(u))) {
        const user = tx.findRecordById('users', userId);
        const left = doLeaveQueues(tx, user, record.id);
        change.moved.push(...left.moved);
      }
      if (record.getBool('archived')) {
        for (const login of tx.findRecordsByFilter('queue_logins', 'queue = {:q} && active = true', '', 0, 0, { q: record.id })) {
          const left = doLeaveQueues(tx, tx.findRecordById('users', login!.getString('user')), record.id);
          change.moved.push(...left.moved);
        }
      }
    });
  } finally {
    e.app = app;
  }
  doPublishQueueChange(app, change);
  // those no longer in it drop it from their sidebar
  const gone = record.getBool('archived') ? before : before.filter((u) => !after.includes(u));
  doPublish(app, gone, { type: 'queue', queue: record.id, waiting: 0, agents: [], removed: true });
}

/** checkQueue validates a queue an admin writes: a name, timeouts in range, and no archiving while a number still uses it. */
export function checkQueue(app: CoreApp, record: core.Record): void {
  const name = record.getString('name').replace(/\s+/g, ' ').trim();
  if (!name) badField('name', 'Give the queue a name.');
  record.set('name', name);
  for (const f of ['release_after_s', 'close_after_s', 'waiting_alert_after_s'] as const) {
    if (record.get(f) === null || record.get(f) === undefined || record.get(f) === '') record.set(f, QUEUE_DEFAULTS[f]);
    if (record.getInt(f) < 0) badField(f, 'Use zero (never) or a positive number of seconds.');
  }
  if (record.getBool('archived') && record.id) {
    const using = app.findRecordsByFilter('numbers', "queue = {:q} && mode = 'queue'", 'e164', 1, 0, { q: record.id });
    if (using.length) {
      const country = findSettings(app).getString('default_country');
      badField('archived', `${formatPhone(using[0]!.getString('e164'), country)} still sends its texts to this queue; switch the number first.`);
    }
  }
}

/** checkNumberMode refuses a number in queue mode without a live queue to send its texts to. */
export function checkNumberMode(app: CoreApp, number: core.Record): void {
  if (number.getString('mode') !== 'queue') return;
  const queueId = number.getString('queue');
  if (!queueId) badField('queue', 'Pick the queue this number sends its texts to.');
  try {
    accessQueue(app, queueId);
  } catch (_) {
    badField('queue', 'That queue is archived or gone; pick another.');
  }
}

/**
 * doSwitchNumber moves a number's queue conversations when the number leaves
 * its queue: to plain SMS threads read by everyone allowed on the number
 * (direct mode), or into the new queue (open ones wait there). Nothing is
 * deleted or hidden from history; a system line says what happened. Direct
 * threads of a number that enters queue mode join the queue when their
 * customer next texts (doQueueText).
 */
export function doSwitchNumber(app: CoreApp, number: core.Record, before: core.Record, allowedUsers: () => string[]): QueueChange {
  const change: QueueChange = { moved: [], queues: [] };
  const wasQueue = before.getString('mode') === 'queue' ? before.getString('queue') : '';
  const isQueue = number.getString('mode') === 'queue' ? number.getString('queue') : '';
  if (!wasQueue || wasQueue === isQueue) return change;
  change.queues.push(wasQueue);
  const threads = app.findRecordsByFilter('conversations', 'our_number = {:n} && queue = {:q}', '', 0, 0, { n: number.id, q: wasQueue });
  if (!isQueue) {
    const allowed = allowedUsers();
    for (const c of threads) {
      c!.set('queue', '');
      c!.set('queue_state', '');
      c!.set('claimed_by', '');
      const { removed } = doSyncMembers(app, c!, allowed);
      app.save(c!);
      doSystemLine(app, c!, null, 'Out of the queue: everyone allowed on this number reads it now', { type: 'queue_left' });
      if (removed.length) change.moved.push({ conversation: c!.id, users: removed });
    }
    return change;
  }
  const queue = app.findRecordById('queues', isQueue);
  change.queues.push(isQueue);
  for (const c of threads) {
    const open = c!.getString('queue_state') !== 'closed';
    c!.set('queue', isQueue);
    const line = { text: `Moved to the queue ${queue.getString('name')}`, event: { type: 'queue_moved', queue: isQueue } };
    change.moved.push(...doApply(app, c!, queue, open ? { state: 'waiting', owner: '' } : threadOf(c!), line, null));
  }
  return change;
}
