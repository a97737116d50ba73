// Scheduled sends: a text stored now as a `scheduled_messages` row, shown
// to every member of the conversation until it goes, cancellable until
// then. The minute sweep (and an admin's on-demand sweep) sends what is due
// through the same functions as a person's send: checkOutbound checks it
// again (SMS on, opt-outs, segments, the author's right to the number),
// the message is saved, doTouchConversation moves the thread up and
// doQueueDeliveries queues its SMS, in the transaction that moves the row
// from `scheduled` to `sent`: it goes once, or not at all. docs/scheduled.md.
import { badField } from './http';
import { accessConversation, doSystemLine, doTouchConversation } from './threads';
import { checkOutbound, doQueueDeliveries, type Legs } from './outbound';
import { doPublish, findMembers } from './realtime';
import { checkBody } from '../../src/lib/domain/messages';
import { checkSendAt, parseSendAt } from '../../src/lib/domain/schedule';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** newId returns a fresh record id, reserved for the message (or delivery) a scheduled send becomes. */
export function newId(): string {
  return $security.randomStringWithAlphabet(15, ID_ALPHABET);
}

/** checkSendAtText reads a `send_at` (ISO 8601 with its zone) and refuses the past (beyond a minute) and beyond a year ahead; returns it as a DateTime. */
export function checkSendAtText(raw: unknown, field = 'send_at'): DateTime {
  if (typeof raw !== 'string') badField(field, 'The send time (send_at) must be a string: a date and time with its zone, e.g. 2026-12-24T09:00:00+01:00.');
  const parsed = parseSendAt(raw);
  if (!parsed.ok) badField(field, parsed.error);
  return checkSendAtMs(parsed.at, field);
}

function checkSendAtMs(at: number, field = 'send_at'): DateTime {
  const problem = checkSendAt(at, Date.now());
  if (problem) badField(field, problem);
  return new DateTime(new Date(at).toISOString());
}

/** findScheduledByClientKey returns the scheduled send stored under this client key by this author (a person) or this integration, if any. */
export function findScheduledByClientKey(app: CoreApp, author: string, clientKey: string, integration = ''): core.Record | undefined {
  if (!clientKey) return undefined;
  const rows = arrayOf(new DynamicModel({ id: '' }));
  app
    .db()
    .newQuery("SELECT id FROM scheduled_messages WHERE author = {:author} AND integration = {:integration} AND client_key = {:key} AND client_key != '' LIMIT 1")
    .bind({ author, integration, key: clientKey })
    .all(rows);
  if (!rows.length) return undefined;
  return app.findRecordById('scheduled_messages', rows[0].id);
}

/** checkSchedulable refuses a conversation where a text cannot wait: a queue's (who answers may change before it goes). */
function checkSchedulable(conversation: core.Record): void {
  if (conversation.getString('queue')) {
    badField('send_at', 'Texts in a queue conversation cannot be scheduled: who answers the customer may change before it goes. Send it now instead.');
  }
}

/**
 * checkScheduled validates a scheduled send about to be stored (the row
 * stands in for its message: conversation, author, body) with the checks a
 * send passes now: the body, and for texts to phones SMS switched on, no
 * opt-out, at most MAX_SEGMENTS parts, the author's right to the number.
 * Returns the SMS legs it would have (null for team chat).
 */
export function checkScheduled(app: CoreApp, row: core.Record, conversation: core.Record, author: core.Record | null): Legs | null {
  const problem = checkBody(row.getString('body'));
  if (problem) badField('body', problem);
  checkSchedulable(conversation);
  return checkOutbound(app, row, conversation, [], author);
}

/**
 * doSchedulePost stores a person's scheduled send made through the records
 * API (`POST /api/collections/scheduled_messages/records` with
 * `conversation`, `body`, `send_at`, optional `client_key`; the create rule
 * lets active members in). The author is the session's user; a repeated
 * client key answers with the row already stored.
 */
export function doSchedulePost(e: core.RecordRequestEvent): void {
  const record = e.record!;
  const body = e.requestInfo().body;
  if (!e.hasSuperuserAuth()) {
    record.set('author', e.auth!.id);
    record.set('integration', '');
    record.set('integration_name', '');
  }
  const author = record.getString('author');
  const earlier = findScheduledByClientKey(e.app, author, record.getString('client_key'));
  if (earlier) {
    e.json(200, earlier);
    return;
  }
  // the records API has already read a date field into the record; the raw
  // text, when it is one, is read again to refuse a time without its zone
  if (typeof body.send_at === 'string') record.set('send_at', checkSendAtText(body.send_at));
  else if (record.getDateTime('send_at').isZero()) badField('send_at', 'Say when to send it (send_at): a date and time with its zone.');
  else record.set('send_at', checkSendAtMs(Date.parse(record.getDateTime('send_at').string().replace(' ', 'T'))));
  record.set('state', 'scheduled');
  record.set('message', newId());
  record.set('delivery', '');
  record.set('error', '');
  record.set('cancelled_by', '');
  record.set('cancelled_by_integration', '');
  record.set('done_at', '');
  const conversation = e.app.findRecordById('conversations', record.getString('conversation'));
  const authorRecord = !author ? null : e.auth && e.auth.id === author && e.auth.collection().name === 'users' ? e.auth : e.app.findRecordById('users', author);
  checkScheduled(e.app, record, conversation, authorRecord);
  try {
    e.next();
  } catch (err) {
    // a concurrent retry with the same key won the unique index
    const winner = findScheduledByClientKey(e.app, author, record.getString('client_key'));
    if (!winner) throw err;
    e.json(200, winner);
  }
}

/** mayCancel says whether a member may cancel a scheduled send: its author, an administrator, and for an integration's (no author) any member. */
function mayCancel(row: core.Record, actor: core.Record): boolean {
  const author = row.getString('author');
  return !author || author === actor.id || actor.getString('role') === 'admin';
}

/**
 * doCancelScheduled cancels a scheduled send that has not gone. The actor is
 * a person (the thread's Cancel) or an integration (the send API's cancel).
 * A person: members of the conversation only (404 for anyone else); its
 * author, an admin, or for an integration's text any member (403 for the
 * others). An integration: the texts it scheduled itself only (404 for any
 * other, as if it did not exist). 409 with a sentence when it already went,
 * failed or was cancelled. The row records who cancelled (`cancelled_by`,
 * or `cancelled_by_integration`). The check and the change are one
 * transaction, so the sweep and a cancel never both win.
 */
export function doCancelScheduled(app: CoreApp, actor: core.Record, id: string): core.Record {
  const byIntegration = actor.collection().name === 'integrations';
  const missing = () =>
    new NotFoundError(byIntegration ? 'No scheduled text with that id was sent with this API key.' : 'This scheduled text does not exist or you are not in its conversation.', null);
  let row: core.Record;
  try {
    row = app.findRecordById('scheduled_messages', id);
  } catch (_) {
    throw missing();
  }
  if (byIntegration) {
    if (row.getString('integration') !== actor.id) throw missing();
  } else {
    try {
      accessConversation(app, row.getString('conversation'), actor.id);
    } catch (_) {
      throw missing();
    }
    if (!mayCancel(row, actor)) {
      let name = 'its author';
      try {
        name = app.findRecordById('users', row.getString('author')).getString('name') || name;
      } catch (_) {
        // a removed author: the sentence names no one
      }
      throw new ForbiddenError(`Only ${name}, who scheduled this text, or an administrator can cancel it.`, null);
    }
  }
  let cancelled: core.Record | undefined;
  app.runInTransaction((tx) => {
    const current = tx.findRecordById('scheduled_messages', id);
    const state = current.getString('state');
    if (state === 'sent') throw new ApiError(409, 'This text was already sent; a text that went cannot be cancelled.', null);
    if (state === 'cancelled') throw new ApiError(409, 'This scheduled text was already cancelled.', null);
    if (state === 'failed') throw new ApiError(409, `This scheduled text was not sent (${current.getString('error')}); there is nothing to cancel.`, null);
    current.set('state', 'cancelled');
    current.set(byIntegration ? 'cancelled_by_integration' : 'cancelled_by', actor.id);
    current.set('done_at', new DateTime());
    tx.save(current);
    cancelled = current;
  });
  return cancelled!;
}

/** reasonOf is the sentence of an error thrown by a check (an ApiError's message, else its text). */
function reasonOf(err: unknown): string {
  const e = err as { message?: unknown; value?: { message?: unknown } } | null;
  const raw = e && typeof e.message === 'string' && e.message ? e.message : e && e.value && typeof e.value.message === 'string' ? e.value.message : String(err);
  return raw.replace(/^(GoError|Error):\s*/, '').slice(0, 500) || 'The text could not be sent.';
}

/** FireResult says what a scheduled send did when its time came. */
export type FireResult = 'sent' | 'failed' | 'skipped';

/**
 * doFireScheduled sends one scheduled text whose time has come: in one
 * transaction it checks that the row is still `scheduled` (not cancelled,
 * not sent by a sweep that ran at the same time), checks the text again as
 * a send now would be, saves the message under its reserved id, moves the
 * thread up, queues its deliveries and marks the row `sent`. When a check
 * refuses (an opt-out since, SMS switched off, the author left), nothing is
 * sent: the row becomes `failed` with the reason and the thread gets a
 * system line that says so.
 */
export function doFireScheduled(app: CoreApp, id: string): FireResult {
  let result: FireResult = 'skipped';
  try {
    app.runInTransaction((tx) => {
      const row = tx.findRecordById('scheduled_messages', id);
      if (row.getString('state') !== 'scheduled') return;
      const conversation = tx.findRecordById('conversations', row.getString('conversation'));
      const authorId = row.getString('author');
      let author: core.Record | null = null;
      if (authorId) {
        try {
          author = tx.findRecordById('users', authorId);
        } catch (_) {
          throw new BadRequestError('its author no longer has an account', null);
        }
        if (author.getBool('disabled')) throw new BadRequestError(`${author.getString('name')}'s account is switched off`, null);
      }
      const m = new Record(tx.findCachedCollectionByNameOrId('messages'));
      m.set('id', row.getString('message') || newId());
      m.set('conversation', conversation.id);
      m.set('author', authorId);
      m.set('integration', row.getString('integration'));
      m.set('integration_name', row.getString('integration_name'));
      m.set('kind', 'text');
      m.set('body', row.getString('body'));
      m.set('client_key', row.getString('client_key'));
      const problem = checkBody(m.getString('body'));
      if (problem) throw new BadRequestError(problem, null);
      const legs = checkOutbound(tx, m, conversation, [], author);
      if (author && !conversation.getStringSlice('members').includes(authorId)) throw new BadRequestError(`${author.getString('name')} is no longer in this conversation`, null);
      // the send API told the caller its delivery's id when it scheduled
      const delivery = row.getString('delivery');
      if (legs && delivery && legs.phones.length === 1) legs.ids = { [legs.phones[0]]: delivery };
      tx.save(m);
      doTouchConversation(tx, m);
      if (legs) doQueueDeliveries(tx, m, legs);
      row.set('state', 'sent');
      row.set('done_at', new DateTime());
      tx.save(row);
      result = 'sent';
    });
    return result;
  } catch (err) {
    const reason = reasonOf(err);
    let failed = false;
    app.runInTransaction((tx) => {
      const row = tx.findRecordById('scheduled_messages', id);
      if (row.getString('state') !== 'scheduled') return;
      row.set('state', 'failed');
      row.set('error', reason);
      row.set('done_at', new DateTime());
      tx.save(row);
      let who = row.getString('integration_name') ? `${row.getString('integration_name')} (integration)` : 'Someone';
      try {
        if (row.getString('author')) who = tx.findRecordById('users', row.getString('author')).getString('name') || who;
      } catch (_) {
        // a removed author
      }
      const conversation = tx.findRecordById('conversations', row.getString('conversation'));
      doSystemLine(tx, conversation, null, `A text ${who} scheduled was not sent: ${reason.replace(/\.$/, '')}.`, { type: 'scheduled_failed', scheduled: row.id });
      failed = true;
    });
    return failed ? 'failed' : 'skipped';
  }
}

/** SWEEP_BATCH is how many due texts one sweep sends; the next minute takes the rest. */
const SWEEP_BATCH = 500;

/** doFireDue sends every scheduled text due at `now` (epoch ms), oldest first, each in its own transaction. */
export function doFireDue(app: CoreApp, now: number): { sent: number; failed: number } {
  const rows = arrayOf(new DynamicModel({ id: '' }));
  app
    .db()
    .newQuery("SELECT id FROM scheduled_messages WHERE state = 'scheduled' AND send_at <= {:now} ORDER BY send_at, id LIMIT {:n}")
    .bind({ now: new DateTime(new Date(now).toISOString()).string(), n: SWEEP_BATCH })
    .all(rows);
  let sent = 0;
  let failed = 0;
  for (const r of rows) {
    const result = doFireScheduled(app, r.id);
    if (result === 'sent') sent++;
    else if (result === 'failed') failed++;
  }
  return { sent, failed };
}

/** doPublishScheduled tells the conversation's members of a scheduled send (new, sent, cancelled, failed). */
export function doPublishScheduled(app: CoreApp, row: core.Record): void {
  doPublish(app, findMembers(app, row.getString('conversation')), { type: 'scheduled', scheduled: row });
}
