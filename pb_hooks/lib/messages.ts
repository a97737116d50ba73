// Sending: what a posted message may contain, idempotent client keys, and
// what is written in the same transaction as the message: the conversation
// preview and one queued delivery per external participant.
import { badField } from './http';
import { checkBody } from '../../src/lib/domain/messages';
import { checkOutbound, doQueueDeliveries } from './outbound';
import { doTouchConversation } from './threads';
import { checkQueuePost, doPublishQueueChange, doQueuePosted, type QueueChange } from './queues';

/** findByClientKey returns the caller's message already stored under this client key, if any. */
export function findByClientKey(app: CoreApp, author: string, clientKey: string): core.Record | undefined {
  if (!clientKey) return undefined;
  try {
    return app.findFirstRecordByFilter('messages', 'author = {:author} && client_key = {:key}', {
      author,
      key: clientKey,
    });
  } catch (_) {
    return undefined;
  }
}

/** doPostMessage stores a posted message (for users: author from the session, text only) with a validated body and preview updated in one transaction; a repeated client key answers with the stored message. */
export function doPostMessage(e: core.RecordRequestEvent): void {
  const record = e.record!;
  // superusers (migrations, tests, the admin dashboard) write as whoever they name
  if (!e.hasSuperuserAuth()) {
    const body = e.requestInfo().body;
    if (body.kind !== undefined && body.kind !== 'text') {
      badField('kind', 'Only text can be posted; system lines are written by the server.');
    }
    record.set('author', e.auth!.id);
    record.set('author_phone', '');
    record.set('kind', 'text');
    record.set('event', null);
  }
  const author = record.getString('author');
  // a retry of a stored send answers with it, whatever has changed since
  const clientKey = record.getString('client_key');
  const earlier = findByClientKey(e.app, author, clientKey);
  if (earlier) {
    e.json(200, earlier);
    return;
  }
  const problem = checkBody(record.getString('body'));
  if (problem) badField('body', problem);
  const conversation = e.app.findRecordById('conversations', record.getString('conversation'));
  // a user's own send: the session already loaded their record for this request
  const authorRecord = !author ? null : e.auth && e.auth.id === author && e.auth.collection().name === 'users' ? e.auth : e.app.findRecordById('users', author);
  // a queue conversation takes replies from its owner only
  const queued = authorRecord ? checkQueuePost(e.app, conversation, authorRecord) : null;
  const legs = checkOutbound(e.app, record, conversation, authorRecord);

  const app = e.app;
  let change: QueueChange | null = null;
  try {
    app.runInTransaction((tx) => {
      e.app = tx;
      e.next();
      doTouchConversation(tx, record);
      if (legs) doQueueDeliveries(tx, record, legs);
      if (queued && authorRecord) change = doQueuePosted(tx, conversation.id, authorRecord);
    });
  } catch (err) {
    // a concurrent retry with the same key won the unique index: answer with its message
    const winner = findByClientKey(app, author, clientKey);
    if (!winner) throw err;
    e.json(200, winner);
  } finally {
    e.app = app;
  }
  if (change) doPublishQueueChange(app, change);
}

//END
