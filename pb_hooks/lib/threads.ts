// Conversation writes that every feature shares: who may open a
// conversation, participant rows, system lines and the preview that moves a
// conversation up the list (with the mark of a failed newest text). A low module: it imports no feature module.
import { previewOf } from '../../src/lib/domain/messages';
import { previewOfFiles } from '../../src/lib/domain/attachments';

/** accessConversation returns the conversation if the caller is one of its active members, else throws 404. */
export function accessConversation(app: CoreApp, id: string, userId: string): core.Record {
  let conversation: core.Record;
  try {
    conversation = app.findRecordById('conversations', id);
  } catch (_) {
    throw new NotFoundError('This conversation does not exist or you are not in it.', null);
  }
  if (!conversation.getStringSlice('members').includes(userId)) {
    throw new NotFoundError('This conversation does not exist or you are not in it.', null);
  }
  return conversation;
}

/**
 * doAddParticipant creates (or reactivates) the participant row of a user in
 * a conversation. readUpTo marks what was said before they joined as read
 * (history, not unread); someone coming back keeps their old read position.
 */
export function doAddParticipant(app: CoreApp, conversationId: string, userId: string, readUpTo = ''): void {
  let p: core.Record;
  try {
    p = app.findFirstRecordByFilter('participants', 'conversation = {:c} && user = {:u}', { c: conversationId, u: userId });
  } catch (_) {
    p = new Record(app.findCollectionByNameOrId('participants'));
    p.set('conversation', conversationId);
    p.set('user', userId);
    p.set('last_read_at', readUpTo);
  }
  p.set('left_at', '');
  app.save(p);
}

/**
 * doMoveParticipants adds (or brings back) and removes many users of one
 * conversation in three statements, without a record save per row: used
 * when a number's permission or a queue moves whole teams in and out of
 * conversations. No participant events are published for these rows; the
 * caller saves the conversation (its `members`, one event) and tells the
 * removed. readUpTo marks what was said before as read for newcomers.
 */
export function doMoveParticipants(app: CoreApp, conversationId: string, add: string[], remove: string[], readUpTo: string): void {
  const now = new DateTime().string();
  const db = app.db();
  if (remove.length) {
    db.newQuery(`UPDATE participants SET left_at = {:now}, updated = {:now} WHERE conversation = {:c} AND left_at = '' AND user IN (${remove.map((_, i) => `{:u${i}}`).join(', ')})`)
      .bind({ now, c: conversationId, ...Object.fromEntries(remove.map((u, i) => [`u${i}`, u])) })
      .execute();
  }
  if (!add.length) return;
  const rows = arrayOf(new DynamicModel({ user: '' }));
  db.newQuery(`SELECT user FROM participants WHERE conversation = {:c} AND user IN (${add.map((_, i) => `{:u${i}}`).join(', ')})`)
    .bind({ c: conversationId, ...Object.fromEntries(add.map((u, i) => [`u${i}`, u])) })
    .all(rows);
  const known = rows.map((r) => r.user);
  const back = add.filter((u) => known.includes(u));
  if (back.length) {
    // someone coming back keeps their old read position
    db.newQuery(`UPDATE participants SET left_at = '', updated = {:now} WHERE conversation = {:c} AND user IN (${back.map((_, i) => `{:u${i}}`).join(', ')})`)
      .bind({ now, c: conversationId, ...Object.fromEntries(back.map((u, i) => [`u${i}`, u])) })
      .execute();
  }
  for (const u of add.filter((x) => !known.includes(x))) {
    db.newQuery('INSERT INTO participants (id, conversation, user, last_read_at, created, updated) VALUES ({:id}, {:c}, {:u}, {:read}, {:now}, {:now})')
      .bind({ id: $security.randomStringWithAlphabet(15, 'abcdefghijklmnopqrstuvwxyz0123456789'), c: conversationId, u, read: readUpTo, now })
      .execute();
  }
}

/** doSystemLine writes a centred system message into a conversation (actor null: the appliance itself) and moves it up the list. */
export function doSystemLine(app: CoreApp, conversation: core.Record, actor: core.Record | null, text: string, event: object): core.Record {
  const m = new Record(app.findCollectionByNameOrId('messages'));
  m.set('conversation', conversation.id);
  if (actor) m.set('author', actor.id);
  m.set('kind', 'system');
  m.set('body', text);
  m.set('event', event);
  app.save(m);
  doTouchConversation(app, m);
  return m;
}

function filesOf(message: core.Record): { name: string }[] {
  const raw = message.get('files');
  if (!raw) return [];
  try {
    const list = JSON.parse(toString(raw));
    return Array.isArray(list) ? list : [];
  } catch (_) {
    return [];
  }
}

/**
 * doTouchConversation moves the conversation to the top of everyone's list
 * with the message's preview. It writes the two columns directly: clients
 * learn of the move from the message event itself, so a record save (with
 * its validation and a realtime event per connected client) would be waste.
 */
export function doTouchConversation(app: CoreApp, message: core.Record): void {
  const at = message.getDateTime('created').string();
  app
    .db()
    .newQuery(
      'UPDATE conversations SET last_message_at = {:at}, last_preview = {:preview}, last_failed = FALSE, updated = {:at} WHERE id = {:id}',
    )
    .bind({ at, preview: previewOf(message.getString('body')) || previewOfFiles(filesOf(message)), id: message.getString('conversation') })
    .execute();
}

/**
 * doMarkFailed keeps the conversation's `last_failed` mark true while its
 * newest message has a failed delivery, after a delivery of message
 * `messageId` moved to `status`. Only a move of the newest message's delivery
 * can change the mark; one indexed join tells, and the set of failed
 * deliveries is read only when the mark would go off. Returns the
 * conversation when it wrote the mark (the caller announces it again), else
 * null: the common status change costs one small query.
 */
export function doMarkFailed(app: CoreApp, messageId: string, status: string): core.Record | null {
  const rows = arrayOf(new DynamicModel({ conversation: '', newest: false, was: false }));
  app
    .db()
    .newQuery(
      'SELECT c.id AS conversation, (m.created = c.last_message_at) AS newest, c.last_failed AS was FROM messages m JOIN conversations c ON c.id = m.conversation WHERE m.id = {:m} LIMIT 1',
    )
    .bind({ m: messageId })
    .all(rows);
  const row = rows[0];
  if (!row || !row.newest) return null;
  let failed = status === 'failed';
  if (!failed && row.was) {
    const n = arrayOf(new DynamicModel({ n: 0 }));
    app.db().newQuery("SELECT count(*) AS n FROM deliveries WHERE message = {:m} AND status = 'failed'").bind({ m: messageId }).all(n);
    failed = n.length > 0 && n[0].n > 0;
  }
  if (failed === !!row.was) return null;
  app.db().newQuery('UPDATE conversations SET last_failed = {:f} WHERE id = {:id}').bind({ f: failed, id: row.conversation }).execute();
  return app.findRecordById('conversations', row.conversation);
}
