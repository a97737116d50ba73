// SMS in PocketBase: SMS threads and external members of groups, one
// delivery per external participant when a message is posted, opt-outs, and
// the texts the bridge hands over: stored exactly once (dedupe key), routed
// to the conversation the phone is answering, keywords handled, and relayed
// to a group's other external members.
import { badField, bodyString } from './http';
import { canReceiveSms, checkPhone, formatPhone, noReplyReason, normaliseAddress } from '../../src/lib/domain/phone';
import { classifyKeyword } from '../../src/lib/domain/keywords';
import { MAX_SEGMENTS, checkSegments, planSms, type SmsPlan } from '../../src/lib/domain/segments';
import { accessConversation, doAddParticipant, doSystemLine } from './conversations';
import { doTouchConversation } from './messages';
import { doPublish } from './realtime';
import { previewOf } from '../../src/lib/domain/messages';


/** findSettings returns the one settings row. */
export function findSettings(app: CoreApp): core.Record {
  return app.findFirstRecordByFilter('settings', "id != ''");
}

/** smsKey is the unique key of the SMS thread between a business number and an external number. */
export function smsKey(numberId: string, phone: string): string {
  return `${numberId}:${phone}`;
}

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

/** checkPhones normalises phone numbers typed by a person, refusing the first one that is not a number. */
export function checkPhones(app: CoreApp, raw: unknown, field: string): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) badField(field, 'Give a list of phone numbers.');
  const country = findSettings(app).getString('default_country');
  const out: string[] = [];
  for (const item of raw as unknown[]) {
    const r = checkPhone(typeof item === 'string' ? item : '', country);
    if (!r.ok) badField(field, r.error);
    if (!out.includes(r.e164)) out.push(r.e164);
  }
  return out;
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
    // the caller is allowed on the number, so a member of its threads; a
    // thread out of step with the permissions is brought in line first
    if (!thread.getStringSlice('members').includes(me.id)) removed = doSetThreadMembers(tx, thread, findAllowedUsers(tx, number.id));
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

/** doAddPhone makes a phone an (active) external participant, carrying over an opt-out already on record. */
export function doAddPhone(app: CoreApp, conversation: core.Record, phone: string): void {
  let p: core.Record;
  try {
    p = app.findFirstRecordByFilter('participants', 'conversation = {:c} && phone = {:p}', { c: conversation.id, p: phone });
  } catch (_) {
    p = new Record(app.findCollectionByNameOrId('participants'));
    p.set('conversation', conversation.id);
    p.set('phone', phone);
  }
  p.set('left_at', '');
  const optOut = findOptOut(app, phone, conversation.getString('our_number'));
  p.set('opted_out_at', optOut ? optOut.getString('at') : '');
  app.save(p);
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

/** findPhones returns the active external participants of a conversation. */
export function findPhones(app: CoreApp, conversationId: string): string[] {
  return app
    .findRecordsByFilter('participants', "conversation = {:c} && phone != '' && left_at = ''", 'created', 0, 0, { c: conversationId })
    .map((p) => p!.getString('phone'));
}

/** findOptOut returns the opt-out of a phone from a business number, if there is one. */
export function findOptOut(app: CoreApp, phone: string, numberId: string): core.Record | undefined {
  if (!numberId) return undefined;
  try {
    return app.findFirstRecordByFilter('opt_outs', 'phone = {:p} && our_number = {:n}', { p: phone, n: numberId });
  } catch (_) {
    return undefined;
  }
}

/** optOutReason says in words since when a phone refuses texts from a number. */
export function optOutReason(app: CoreApp, optOut: core.Record): string {
  const country = findSettings(app).getString('default_country');
  const phone = formatPhone(optOut.getString('phone'), country);
  const day = optOut.getString('at').slice(0, 10);
  return `${phone} opted out of texts from this number on ${day} (replied ${optOut.getString('keyword') || 'STOP'}).`;
}

/** prefixed puts the sender's name in front of a text, as external members of a group see it. */
export function prefixed(app: CoreApp, name: string, body: string): string {
  const template = findSettings(app).getString('sms_name_prefix') || '{name}: ';
  return template.replace('{name}', name) + body;
}

/** checkSmsBody refuses a text that would cost more than MAX_SEGMENTS parts, and returns its plan. */
export function checkSmsBody(text: string): SmsPlan {
  const plan = planSms(text);
  const refusal = checkSegments(plan);
  if (refusal) badField('body', refusal);
  return plan;
}

/** Legs are the SMS a message turns into: who gets which text, and who cannot (opted out). */
export interface Legs {
  text: string;
  plan: SmsPlan;
  from: string;
  numberId: string;
  phones: string[];
  refused: { phone: string; reason: string }[];
}

/**
 * checkOutbound prepares the SMS legs of a message about to be posted. An
 * SMS thread whose phone opted out refuses the message; in a group the
 * opted-out members get a failed leg that says why, and the others their SMS.
 */
export function checkOutbound(app: CoreApp, message: core.Record): Legs | null {
  const conversation = app.findRecordById('conversations', message.getString('conversation'));
  // phones come only with a business number: team chat skips the lookup
  const numberId = conversation.getString('our_number');
  if (!numberId) return null;
  const phones = findPhones(app, conversation.id);
  if (phones.length === 0) return null;
  const number = app.findRecordById('numbers', numberId);
  if (!number.getBool('sms_enabled')) badField('body', `SMS is switched off for ${number.getString('e164')}.`);
  const authorId = message.getString('author');
  const body = message.getString('body');
  const author = authorId ? app.findRecordById('users', authorId) : null;
  if (author) checkMayText(app, author, numberId);
  const text = conversation.getString('kind') === 'group' && author ? prefixed(app, author.getString('name'), body) : body;
  const legs: Legs = { text, plan: checkSmsBody(text), from: number.getString('e164'), numberId, phones: [], refused: [] };
  const group = conversation.getString('kind') === 'group';
  for (const phone of phones) {
    const optOut = findOptOut(app, phone, numberId);
    const refusal = !canReceiveSms(phone) ? noReplyReason(phone) : optOut ? optOutReason(app, optOut) : '';
    if (!refusal) legs.phones.push(phone);
    else if (group) legs.refused.push({ phone, reason: refusal });
    else badField('body', refusal);
  }
  return legs;
}

/** doQueueDeliveries writes one delivery per leg of a stored message: queued, or failed with the reason it cannot go. */
export function doQueueDeliveries(app: CoreApp, message: core.Record, legs: Legs): void {
  const collection = app.findCollectionByNameOrId('deliveries');
  const write = (to: string, status: string, error: string) => {
    const d = new Record(collection);
    d.set('message', message.id);
    d.set('to', to);
    d.set('from', legs.from);
    // a refused leg never reaches the bridge: a long text is not copied whole
    d.set('body', status === 'failed' ? previewOf(legs.text) : legs.text);
    d.set('status', status);
    d.set('segments', legs.plan.segments);
    d.set('encoding', legs.plan.encoding);
    d.set('smsc_ids', []);
    d.set('attempts', 0);
    d.set('error', error);
    if (status === 'failed') d.set('done_at', new DateTime());
    app.save(d);
  };
  for (const to of legs.phones) write(to, 'queued', '');
  for (const r of legs.refused) write(r.phone, 'failed', r.reason);
}

/**
 * findReplyConversation returns the conversation a phone is most likely
 * answering: the one that last texted it from this business number, while
 * the phone is still in it (DESIGN.md §4, rule 2).
 */
export function findReplyConversation(app: CoreApp, number: core.Record, phone: string): core.Record | undefined {
  const rows = arrayOf(new DynamicModel({ conversation: '' }));
  app
    .db()
    .newQuery(
      `SELECT m.conversation AS conversation
         FROM deliveries d
         JOIN messages m ON m.id = d.message
         JOIN conversations c ON c.id = m.conversation AND c.our_number = {:number}
         JOIN participants p ON p.conversation = m.conversation AND p.phone = {:phone} AND p.left_at = ''
        WHERE d."to" = {:phone} AND d."from" = {:from} AND d.status != 'failed'
        ORDER BY d.created DESC LIMIT 1`,
    )
    .bind({ number: number.id, phone, from: number.getString('e164') })
    .all(rows);
  return rows.length ? app.findRecordById('conversations', rows[0].conversation) : undefined;
}

/** UNKNOWN_ADDRESS stands for an address the SMSC left empty. */
const UNKNOWN_ADDRESS = 'unknown';
/** LONGEST_INBOUND is the messages.body limit for texts that arrive (pb_migrations/1795620000_inbound_any_sender.js). */
const LONGEST_INBOUND = 40000;

/** doStoreInbound stores a text handed over by the bridge, once per dedupe key, and routes it. */
export function doStoreInbound(e: core.RequestEvent): void {
  const body = e.requestInfo().body;
  const dedupeKey = bodyString(body, 'dedupe_key');
  if (!dedupeKey) badField('dedupe_key', 'dedupe_key is required.');
  // an SMPP text is at most 255 parts (39,015 GSM characters): the column holds that
  const text = typeof body.body === 'string' ? body.body.slice(0, LONGEST_INBOUND) : '';
  const country = findSettings(e.app).getString('default_country');
  // whatever the SMSC wrote is kept: a sender name or short code as is, a
  // missing address as "unknown" (never a refusal, which would lose the text)
  const from = normaliseAddress(bodyString(body, 'from'), country).slice(0, 20) || UNKNOWN_ADDRESS;
  const to = normaliseAddress(bodyString(body, 'to'), country).slice(0, 20) || UNKNOWN_ADDRESS;
  let result = { stored: true, duplicate: false, conversation: '' };
  e.app.runInTransaction((tx) => {
    try {
      const earlier = tx.findFirstRecordByData('inbound_log', 'dedupe_key', dedupeKey);
      result = { stored: true, duplicate: true, conversation: earlier.getString('conversation') };
      return;
    } catch (_) {
      // new text
    }
    const log = new Record(tx.findCollectionByNameOrId('inbound_log'));
    log.set('dedupe_key', dedupeKey);
    log.set('from', from);
    log.set('to', to);
    log.set('body', text);
    log.set('incomplete', body.incomplete === true);
    const link = bodyString(body, 'link');
    if (link) log.set('smsc_link', link);
    let number: core.Record | undefined;
    try {
      number = tx.findFirstRecordByData('numbers', 'e164', to);
    } catch (_) {
      // unknown business number: kept in the log for the admin
    }
    if (number) {
      const conversation = findReplyConversation(tx, number, from) ?? doFindOrCreateSmsThread(tx, number, from);
      const m = new Record(tx.findCollectionByNameOrId('messages'));
      m.set('conversation', conversation.id);
      m.set('author_phone', from);
      m.set('kind', 'text');
      m.set('body', text);
      tx.save(m);
      doTouchConversation(tx, m);
      // keywords need a sender that can be answered
      const kw = canReceiveSms(from) ? classifyKeyword(text) : null;
      if (kw?.keyword === 'stop') doOptOut(tx, number, from, kw.word, conversation);
      else if (kw?.keyword === 'start') doOptIn(tx, number, from, conversation);
      else if (kw?.keyword === 'help') doHelpReply(tx, number, from, conversation);
      else doRelay(tx, conversation, m, number, from);
      log.set('conversation', conversation.id);
      result.conversation = conversation.id;
    }
    tx.save(log);
  });
  e.json(200, result);
}

/** doRelay sends an external member's text to the other external members of the same conversation. */
export function doRelay(app: CoreApp, conversation: core.Record, message: core.Record, number: core.Record, from: string): void {
  const others = findPhones(app, conversation.id).filter((p) => p !== from);
  if (others.length === 0) return;
  const name = formatPhone(from, findSettings(app).getString('default_country'));
  const text = prefixed(app, name, message.getString('body'));
  const plan = planSms(text);
  // a text longer than anyone may send is kept whole in the conversation,
  // but not relayed: each leg says why
  const tooLong = checkSegments(plan);
  const legs: Legs = { text, plan, from: number.getString('e164'), numberId: number.id, phones: [], refused: [] };
  for (const phone of others) {
    const optOut = findOptOut(app, phone, number.id);
    const refusal = tooLong ? `Not relayed by SMS: it would take ${plan.segments} parts; the limit is ${MAX_SEGMENTS}.` : !canReceiveSms(phone) ? noReplyReason(phone) : optOut ? optOutReason(app, optOut) : '';
    if (refusal) legs.refused.push({ phone, reason: refusal });
    else legs.phones.push(phone);
  }
  doQueueDeliveries(app, message, legs);
}

/** doAutoReply writes a system line with the text sent back to the phone, and queues that one SMS. */
function doAutoReply(app: CoreApp, conversation: core.Record, number: core.Record, phone: string, line: string, reply: string, event: object): void {
  const m = doSystemLine(app, conversation, null, line, event);
  const legs: Legs = { text: reply, plan: planSms(reply), from: number.getString('e164'), numberId: number.id, phones: [phone], refused: [] };
  doQueueDeliveries(app, m, legs);
}

function doMarkOptOut(app: CoreApp, numberId: string, phone: string, at: string): void {
  const rows = app.findRecordsByFilter('participants', 'phone = {:p} && conversation.our_number = {:n}', '', 0, 0, { p: phone, n: numberId });
  for (const p of rows) {
    p!.set('opted_out_at', at);
    app.save(p!);
  }
}

/** doOptOut records a STOP: one confirmation text, then silence from this number to that phone. */
export function doOptOut(app: CoreApp, number: core.Record, phone: string, word: string, conversation: core.Record): void {
  if (findOptOut(app, phone, number.id)) return; // already out: silence
  const o = new Record(app.findCollectionByNameOrId('opt_outs'));
  o.set('phone', phone);
  o.set('our_number', number.id);
  o.set('keyword', word);
  app.save(o);
  doMarkOptOut(app, number.id, phone, o.getString('at'));
  const shown = formatPhone(phone, findSettings(app).getString('default_country'));
  doAutoReply(app, conversation, number, phone, `${shown} opted out (replied ${word}); no more texts go to them from this number`, findSettings(app).getString('stop_reply'), { type: 'opted_out', phone, keyword: word });
}

/** doOptIn lifts an opt-out after START / UNSTOP and confirms it. */
export function doOptIn(app: CoreApp, number: core.Record, phone: string, conversation: core.Record): void {
  const existing = findOptOut(app, phone, number.id);
  if (!existing) return;
  app.delete(existing);
  doMarkOptOut(app, number.id, phone, '');
  const shown = formatPhone(phone, findSettings(app).getString('default_country'));
  doAutoReply(app, conversation, number, phone, `${shown} opted back in`, findSettings(app).getString('start_reply'), { type: 'opted_in', phone });
}

/** doHelpReply answers HELP with the configured reply (not to an opted-out phone). */
export function doHelpReply(app: CoreApp, number: core.Record, phone: string, conversation: core.Record): void {
  if (findOptOut(app, phone, number.id)) return;
  const reply = findSettings(app).getString('help_reply').replace('{label}', number.getString('label') || number.getString('e164'));
  doAutoReply(app, conversation, number, phone, 'Sent the help reply', reply, { type: 'help', phone });
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
  if (d.getString('status') !== 'failed') throw new BadRequestError('Only a failed delivery can be retried.', null);
  // a retry sends again: the same rule as sending from this number
  checkMayText(e.app, me, conversation.getString('our_number'));
  const optOut = findOptOut(e.app, d.getString('to'), conversation.getString('our_number'));
  if (optOut) throw new BadRequestError(optOutReason(e.app, optOut), null);
  d.set('status', 'queued');
  d.set('attempts', 0);
  d.set('error', '');
  d.set('error_code', '');
  d.set('next_attempt_at', '');
  d.set('done_at', '');
  e.app.save(d);
  e.json(200, d);
}
