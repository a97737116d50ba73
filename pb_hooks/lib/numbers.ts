// Business numbers and who may text from them. A number is a shared inbox:
// the members of its SMS threads are the users allowed on it, moved in the
// same transaction as every change to the permission (docs/sms.md).
import { badField } from './http';
import { doPublish } from './realtime';
import { doMoveParticipants } from './threads';

/**
 * findAllowedUsers returns the ids of active users who may text from a
 * business number: none while SMS is switched off on it or once it is gone.
 * They are exactly the members of the number's SMS threads (a shared inbox).
 */
export function findAllowedUsers(app: CoreApp, numberId: string): string[] {
  let number: core.Record;
  try {
    number = app.findRecordById('numbers', numberId);
  } catch (_) {
    return [];
  }
  if (!number.getBool('sms_enabled')) return [];
  return app
    .findRecordsByFilter('users', 'sms_numbers ~ {:n} && disabled = false', 'extension', 0, 0, { n: numberId })
    .map((u) => u!.id);
}

/** Moved lists who lost sight of which conversations, for the `removed` events sent once the change is committed. */
export type Moved = { conversation: string; users: string[] }[];

/**
 * doFollowNumber makes the members of every SMS thread on a business number
 * the users allowed on it now (after a grant, a revocation, a disabled
 * account, SMS switched off; `allowed` = [] for a number being deleted), in
 * the caller's transaction. Groups keep their members: there the number only
 * decides who may text.
 */
export function doFollowNumber(app: CoreApp, numberId: string, allowed = findAllowedUsers(app, numberId)): Moved {
  const moved: Moved = [];
  // queue conversations follow the queue's agents instead (lib/queues.ts)
  const threads = app.findRecordsByFilter('conversations', "kind = 'sms' && our_number = {:n} && queue = ''", '', 0, 0, { n: numberId });
  for (const c of threads) {
    const users = doSetThreadMembers(app, c!, allowed);
    if (users.length) moved.push({ conversation: c!.id, users });
  }
  return moved;
}

/** doSetThreadMembers adds and removes internal participants so that an SMS thread's members are `allowed`, and saves it; returns who was removed. */
export function doSetThreadMembers(app: CoreApp, c: core.Record, allowed: string[]): string[] {
  const change = doSyncMembers(app, c, allowed);
  if (change.changed) app.save(c);
  return change.removed;
}

/**
 * doSyncMembers writes the participant rows that make a conversation's
 * members `allowed` (what was said before someone joined counts as read;
 * someone leaving gets `left_at`) and sets `members` on the record without
 * saving it, for a caller that changes more of it.
 */
export function doSyncMembers(app: CoreApp, c: core.Record, allowed: string[]): { changed: boolean; removed: string[] } {
  const before = c.getStringSlice('members');
  const added = allowed.filter((u) => !before.includes(u));
  const removed = before.filter((u) => !allowed.includes(u));
  if (added.length === 0 && removed.length === 0) return { changed: false, removed };
  doMoveParticipants(app, c.id, added, removed, c.getString('last_message_at'));
  c.set('members', [...before.filter((u) => !removed.includes(u)), ...added]);
  return { changed: true, removed };
}

/** doPublishMoved tells each removed user's open tabs, after the commit, to drop the conversation. */
export function doPublishMoved(app: CoreApp, moved: Moved): void {
  for (const m of moved) if (m.users.length) doPublish(app, m.users, { type: 'removed', conversation: m.conversation });
}

/** accessSmsNumber returns the business number the caller texts from: the one asked for, else their default, else their only one. */
export function accessSmsNumber(app: CoreApp, user: core.Record, requested: string): core.Record {
  const allowed = user.getStringSlice('sms_numbers');
  const id = requested || user.getString('default_number') || (allowed.length === 1 ? allowed[0] : '');
  if (!id) badField('number', allowed.length ? 'Choose which of your numbers to text from.' : 'No SMS number is assigned to you; ask an administrator.');
  if (!allowed.includes(id)) badField('number', 'You may not text from that number.');
  const number = app.findRecordById('numbers', id);
  if (!number.getBool('sms_enabled')) badField('number', `SMS is switched off for ${number.getString('e164')}.`);
  return number;
}

/** checkMayText refuses a user who may not text from a conversation's business number, or when SMS is off on it. */
export function checkMayText(app: CoreApp, user: core.Record, numberId: string, known?: core.Record): void {
  let number: core.Record;
  try {
    // the caller's copy when it just read the number (checkOutbound)
    number = known && known.id === numberId ? known : app.findRecordById('numbers', numberId);
  } catch (_) {
    badField('body', 'This conversation has no business number to text from any more. Ask an administrator.');
  }
  if (!user.getStringSlice('sms_numbers').includes(numberId)) {
    badField('body', `You may not text from ${number.getString('e164')}, which this conversation uses to reach its phone numbers. Ask an administrator.`);
  }
  if (!number.getBool('sms_enabled')) badField('body', `SMS is switched off for ${number.getString('e164')}.`);
}
