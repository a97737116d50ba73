// Sending: what a posted message may contain, idempotent client keys, and
// what is written in the same transaction as the message: the conversation
// preview and one queued delivery per external participant.
import { badField } from './http';
import { checkBody } from '../../src/lib/domain/messages';
import { checkOutbound, doQueueDeliveries } from './outbound';
import { doTouchConversation } from './threads';
import { checkQueuePost, doPublishQueueChange, doQueuePosted, type QueueChange } from './queues';
import { checkAttach, doAttach, findPendingUploads, type AttachPlan } from './attachments';

/**
 * findByClientKey returns the message already stored under this client key
 * by this author (a person) or this integration (author ''), if any.
 */
export function findByClientKey(app: CoreApp, author: string, clientKey: string, integration = ''): core.Record | undefined {
  if (!clientKey) return undefined;
  // every column of the partial unique index (author, integration, client_key),
  // and the literal `client_key != ''` that lets SQLite use it; a filter binds
  // it as a parameter, and every send scanned the whole table (about 1 s per
  // send at a million messages)
  const rows = arrayOf(new DynamicModel({ id: '' }));
  app
    .db()
    .newQuery("SELECT id FROM messages WHERE author = {:author} AND integration = {:integration} AND client_key = {:key} AND client_key != '' LIMIT 1")
    .bind({ author, integration, key: clientKey })
    .all(rows);
  if (!rows.length) return undefined;
  try {
    return app.findRecordById('messages', rows[0].id);
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
  const conversation = e.app.findRecordById('conversations', record.getString('conversation'));
  // files uploaded under this client key go with the message; only a post
  // that says so looks for them, so plain texts cost no extra query (docs/attachments.md)
  const uploads = e.requestInfo().body.with_files === true ? findPendingUploads(e.app, author, clientKey) : [];
  if (e.requestInfo().body.with_files === true && !uploads.length) badField('files', 'The files of this message did not arrive; attach them again.');
  const attach: AttachPlan | null = uploads.length ? checkAttach(e.app, conversation, uploads) : null;
  const problem = attach && record.getString('body').trim() === '' ? '' : checkBody(record.getString('body'));
  if (problem) badField('body', problem);
  if (attach) {
    record.set('id', attach.messageId);
    record.set('files', attach.files);
  } else if (!e.hasSuperuserAuth()) {
    record.set('files', null);
  }
  // a user's own send: the session already loaded their record for this request
  const authorRecord = !author ? null : e.auth && e.auth.id === author && e.auth.collection().name === 'users' ? e.auth : e.app.findRecordById('users', author);
  // a queue conversation takes replies from its owner only
  const queued = authorRecord ? checkQueuePost(e.app, conversation, authorRecord) : null;
  const legs = checkOutbound(e.app, record, conversation, attach ? attach.links : [], authorRecord);

  const app = e.app;
  let change: QueueChange | null = null;
  try {
    app.runInTransaction((tx) => {
      e.app = tx;
      e.next();
      doTouchConversation(tx, record);
      // a message with files goes to phones once they are processed (doSettleAttachment)
      if (attach) doAttach(tx, record, attach);
      else if (legs) doQueueDeliveries(tx, record, legs);
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
