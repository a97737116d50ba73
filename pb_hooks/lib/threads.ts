// Conversation writes that every feature shares: who may open a
// conversation, participant rows, system lines and the preview that moves a
// conversation up the list. A low module: it imports no feature module.
import { previewOf } from '../../src/lib/domain/messages';

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
    .newQuery('UPDATE conversations SET last_message_at = {:at}, last_preview = {:preview}, updated = {:at} WHERE id = {:id}')
    .bind({ at, preview: previewOf(message.getString('body')), id: message.getString('conversation') })
    .execute();
}
