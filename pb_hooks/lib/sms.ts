// SMS threads and external members of groups: opening the thread between a
// business number and a phone, adding and removing a group's phones, and
// retrying a failed delivery. Routes parse and answer; do* functions write.
import { badField, bodyString } from './http';
import { findSettings } from './settings';
import { accessConversation, doSystemLine } from './threads';
import { accessSmsNumber, checkMayText, doPublishMoved, doSetThreadMembers, findAllowedUsers } from './numbers';
import { checkPhones, doAddPhone, findOptOut, findPhones, optOutReason } from './phones';
import { doAddParticipant } from './threads';
import { checkPhone, formatPhone } from '../../src/lib/domain/phone';

/** smsKey is the unique key of the SMS thread between a business number and an external number. */
export function smsKey(numberId: string, phone: string): string {
  return `${numberId}:${phone}`;
}

/** doOpenSmsThread returns the SMS thread between one of the caller's numbers and a phone, creating it the first time. */
export function doOpenSmsThread(e: core.RequestEvent): void {
  const me = e.auth!;
  const body = e.requestInfo().body;
  const number = accessSmsNumber(e.app, me, bodyString(body, 'number'));
  const phone = checkPhone(bodyString(body, 'to'), findSettings(e.app).getString('default_country'));
  if (!phone.ok) badField('to', phone.error);
  if (phone.e164 === number.getString('e164')) badField('to', 'That is the business number itself.');
  let thread: core.Record | undefined;
  let removed: string[] = [];
  e.app.runInTransaction((tx) => {
    thread = doFindOrCreateSmsThread(tx, number, phone.e164);
    const member = thread.getStringSlice('members').includes(me.id);
    // a queue decides who reads its conversations (lib/queues.ts)
    if (thread.getString('queue') && !member) {
      const queue = tx.findRecordById('queues', thread.getString('queue')).getString('name');
      badField('to', `Texts with this customer go to the queue ${queue}; an agent of ${queue} answers them.`);
    }
    // the caller is allowed on the number, so a member of its threads; a
    // thread out of step with the permissions is brought in line first
    if (!member) removed = doSetThreadMembers(tx, thread, findAllowedUsers(tx, number.id));
  });
  doPublishMoved(e.app, [{ conversation: thread!.id, users: removed }]);
  // never a conversation to someone outside it
  e.json(200, accessConversation(e.app, thread!.id, me.id));
}

/** doFindOrCreateSmsThread returns the (number, phone) thread, creating it with everyone allowed on the number. */
export function doFindOrCreateSmsThread(app: CoreApp, number: core.Record, phone: string): core.Record {
  const key = smsKey(number.id, phone);
  try {
    return app.findFirstRecordByData('conversations', 'sms_key', key);
  } catch (_) {
    // first text with this person on this number
  }
  const users = findAllowedUsers(app, number.id);
  const c = new Record(app.findCollectionByNameOrId('conversations'));
  c.set('kind', 'sms');
  c.set('our_number', number.id);
  c.set('members', users);
  c.set('sms_key', key);
  app.save(c);
  for (const u of users) doAddParticipant(app, c.id, u);
  doAddPhone(app, c, phone);
  return c;
}

/** doAddGroupPhone adds an external number to a group (choosing the group's business number the first time). */
export function doAddGroupPhone(e: core.RequestEvent): void {
  const me = e.auth!;
  const id = e.request!.pathValue('id');
  const body = e.requestInfo().body;
  const [phone] = checkPhones(e.app, [bodyString(body, 'phone')], 'phone');
  e.app.runInTransaction((tx) => {
    const c = accessConversation(tx, id, me.id);
    if (c.getString('kind') !== 'group') throw new BadRequestError('Only groups take extra phone numbers.', null);
    // the caller must be allowed on the number the group texts from, the
    // first time (choosing it) and every time after
    const ours = c.getString('our_number');
    const number = accessSmsNumber(tx, me, ours || bodyString(body, 'number'));
    if (!ours) {
      c.set('our_number', number.id);
      tx.save(c);
    }
    if (findPhones(tx, c.id).includes(phone)) badField('phone', 'That number is already in this group.');
    doAddPhone(tx, c, phone);
    const shown = formatPhone(phone, findSettings(tx).getString('default_country'));
    doSystemLine(tx, c, me, `${me.getString('name')} added ${shown}`, { type: 'phone_added', phone });
  });
  e.json(200, e.app.findRecordById('conversations', id));
}

/** doRemoveGroupPhone takes an external number out of a group with a system line. */
export function doRemoveGroupPhone(e: core.RequestEvent): void {
  const me = e.auth!;
  const id = e.request!.pathValue('id');
  const phone = e.request!.pathValue('phone');
  e.app.runInTransaction((tx) => {
    const c = accessConversation(tx, id, me.id);
    if (c.getString('kind') !== 'group') throw new BadRequestError('Only groups have removable phone numbers.', null);
    let p: core.Record;
    try {
      p = tx.findFirstRecordByFilter('participants', "conversation = {:c} && phone = {:p} && left_at = ''", { c: c.id, p: phone });
    } catch (_) {
      throw new NotFoundError('That number is not in this group.', null);
    }
    p.set('left_at', new DateTime());
    tx.save(p);
    const shown = formatPhone(phone, findSettings(tx).getString('default_country'));
    doSystemLine(tx, c, me, `${me.getString('name')} removed ${shown}`, { type: 'phone_removed', phone });
  });
  e.noContent(204);
}

/** checkNumberOn refuses when a group's business number is gone or has SMS switched off. */
function checkNumberOn(app: CoreApp, numberId: string): void {
  let number: core.Record;
  try {
    number = app.findRecordById('numbers', numberId);
  } catch (_) {
    badField('body', 'This conversation has no business number to text from any more. Ask an administrator.');
  }
  if (!number.getBool('sms_enabled')) badField('body', `SMS is switched off for ${number.getString('e164')}.`);
}

/** doRetryDelivery puts a failed delivery back in the queue, if the phone still accepts texts. */
export function doRetryDelivery(e: core.RequestEvent): void {
  const me = e.auth!;
  let d: core.Record;
  try {
    d = e.app.findRecordById('deliveries', e.request!.pathValue('id'));
  } catch (_) {
    throw new NotFoundError('No such delivery.', null);
  }
  const message = e.app.findRecordById('messages', d.getString('message'));
  const conversation = accessConversation(e.app, message.getString('conversation'), me.id);
  // an `unknown` outcome (the bridge stopped before the SMSC answered) may be retried too
  if (d.getString('status') !== 'failed' && d.getString('status') !== 'unknown') throw new BadRequestError('Only a failed delivery can be retried.', null);
  // a retry sends again: the same rule as sending (in a queue its owner, in a group any member)
  if (conversation.getString('queue')) {
    if (conversation.getString('claimed_by') !== me.id) throw new ForbiddenError('Only the agent who has this conversation can retry its texts.', null);
  } else if (conversation.getString('kind') !== 'group') checkMayText(e.app, me, conversation.getString('our_number'));
  else checkNumberOn(e.app, conversation.getString('our_number'));
  const optOut = findOptOut(e.app, d.getString('to'), conversation.getString('our_number'));
  if (optOut) throw new BadRequestError(optOutReason(e.app, optOut), null);
  d.set('status', 'queued');
  d.set('attempts', 0);
  d.set('error', '');
  d.set('error_code', '');
  d.set('next_attempt_at', '');
  d.set('done_at', '');
  d.set('report', '');
  // a retry waits its link's validity afresh, behind the texts queued before it
  d.set('queued_at', new DateTime());
  let link = '';
  try {
    link = e.app.findFirstRecordByData('numbers', 'e164', d.getString('from')).getString('smsc_link');
  } catch (_) {
    // not a business number (any more): the bridge fails it with that reason
  }
  d.set('link', link);
  e.app.save(d);
  e.json(200, d);
}
