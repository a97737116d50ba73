// Business numbers and who may text from them. A number is a shared inbox:
// the members of its SMS threads are the users allowed on it, moved in the
// same transaction as every change to the permission (docs/sms.md).
import { badField } from './http';
import { doPublish } from './realtime';
import { doAddParticipant } from './threads';

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
  const threads = app.findRecordsByFilter('conversations', "kind = 'sms' && our_number = {:n}", '', 0, 0, { n: numberId });
  for (const c of threads) {
    const users = doSetThreadMembers(app, c!, allowed);
    if (users.length) moved.push({ conversation: c!.id, users });
  }
  return moved;
}

/** doSetThreadMembers adds and removes internal participants so that an SMS thread's members are `allowed`; returns who was removed. */
export function doSetThreadMembers(app: CoreApp, c: core.Record, allowed: string[]): string[] {
  const before = c.getStringSlice('members');
  const added = allowed.filter((u) => !before.includes(u));
  const removed = before.filter((u) => !allowed.includes(u));
  if (added.length === 0 && removed.length === 0) return [];
  // what was said before someone was given the number is history, not unread
  const since = c.getString('last_message_at');
  for (const u of added) doAddParticipant(app, c.id, u, since);
  for (const u of removed) {
    try {
      const p = app.findFirstRecordByFilter('participants', "conversation = {:c} && user = {:u} && left_at = ''", { c: c.id, u });
      p.set('left_at', new DateTime());
      app.save(p);
    } catch (_) {
      // no active row: members alone said they were in
    }
  }
  c.set('members', [...before.filter((u) => !removed.includes(u)), ...added]);
  app.save(c);
  return removed;
}

/** doUpdateNumber saves a business number; switching SMS off or on moves its threads' members in the same transaction. */
export function doUpdateNumber(e: core.RecordRequestEvent): void {
  const record = e.record!;
  const toggled = record.getBool('sms_enabled') !== record.original().getBool('sms_enabled');
  const app = e.app;
  let moved: Moved = [];
  try {
    app.runInTransaction((tx) => {
      e.app = tx;
      e.next();
      if (toggled) moved = doFollowNumber(tx, record.id);
    });
  } finally {
    e.app = app;
  }
  doPublishMoved(app, moved);
}

/** doDeleteNumber takes everyone out of a business number's SMS threads, then deletes it, in one transaction; the threads stay for the record. */
export function doDeleteNumber(e: core.RecordRequestEvent): void {
  const app = e.app;
  let moved: Moved = [];
  try {
    app.runInTransaction((tx) => {
      e.app = tx;
      moved = doFollowNumber(tx, e.record!.id, []);
      e.next();
    });
  } finally {
    e.app = app;
  }
  doPublishMoved(app, moved);
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
export function checkMayText(app: CoreApp, user: core.Record, numberId: string): void {
  let number: core.Record;
  try {
    number = app.findRecordById('numbers', numberId);
  } catch (_) {
    badField('body', 'This conversation has no business number to text from any more. Ask an administrator.');
  }
  if (!user.getStringSlice('sms_numbers').includes(numberId)) {
    badField('body', `You may not text from ${number.getString('e164')}, which this conversation uses to reach its phone numbers. Ask an administrator.`);
  }
  if (!number.getBool('sms_enabled')) badField('body', `SMS is switched off for ${number.getString('e164')}.`);
}
