// SMS in PocketBase: SMS threads and external members of groups, one
// delivery per external participant when a message is posted, opt-outs, and
// the texts the bridge hands over: stored exactly once (dedupe key), routed
// to the conversation the phone is answering, keywords handled, and relayed
// to a group's other external members.
import { badField, bodyString } from './http';
import { checkPhone, formatPhone, normaliseAddress } from '../../src/lib/domain/phone';
import { classifyKeyword } from '../../src/lib/domain/keywords';
import { checkSegments, planSms, type SmsPlan } from '../../src/lib/domain/segments';
import { accessConversation, doAddParticipant, doSystemLine } from './conversations';
import { doTouchConversation } from './messages';


/** findSettings returns the one settings row. */
export function findSettings(app: CoreApp): core.Record {
  return app.findFirstRecordByFilter('settings', "id != ''");
}

/** smsKey is the unique key of the SMS thread between a business number and an external number. */
export function smsKey(numberId: string, phone: string): string {
  return `${numberId}:${phone}`;
}

/** findAllowedUsers returns the ids of active users who may text from a business number. */
export function findAllowedUsers(app: CoreApp, numberId: string): string[] {
  return app
    .findRecordsByFilter('users', 'sms_numbers ~ {:n} && disabled = false', 'extension', 0, 0, { n: numberId })
    .map((u) => u!.id);
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
  e.app.runInTransaction((tx) => {
    thread = doFindOrCreateSmsThread(tx, number, phone.e164);
  });
  e.json(200, thread!);
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
  if (author && !author.getStringSlice('sms_numbers').includes(numberId)) {
    badField('body', `You may not text from ${number.getString('e164')}, which this conversation uses to reach its phone numbers. Ask an administrator.`);
  }
  const text = conversation.getString('kind') === 'group' && author ? prefixed(app, author.getString('name'), body) : body;
  const legs: Legs = { text, plan: checkSmsBody(text), from: number.getString('e164'), numberId, phones: [], refused: [] };
  for (const phone of phones) {
    const optOut = findOptOut(app, phone, numberId);
    if (!optOut) legs.phones.push(phone);
    else if (conversation.getString('kind') === 'group') legs.refused.push({ phone, reason: optOutReason(app, optOut) });
    else badField('body', optOutReason(app, optOut));
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
    d.set('body', legs.text);
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

/** doStoreInbound stores a text handed over by the bridge, once per dedupe key, and routes it. */
export function doStoreInbound(e: core.RequestEvent): void {
  const body = e.requestInfo().body;
  const dedupeKey = bodyString(body, 'dedupe_key');
  if (!dedupeKey) badField('dedupe_key', 'dedupe_key is required.');
  const text = typeof body.body === 'string' ? body.body : '';
  const country = findSettings(e.app).getString('default_country');
  const from = normaliseAddress(bodyString(body, 'from'), country);
  const to = normaliseAddress(bodyString(body, 'to'), country);
  if (!from || !to) badField(from ? 'to' : 'from', 'Both addresses are required.');
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
      const kw = classifyKeyword(text);
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
  const legs: Legs = { text, plan: planSms(text), from: number.getString('e164'), numberId: number.id, phones: [], refused: [] };
  for (const phone of others) {
    const optOut = findOptOut(app, phone, number.id);
    if (optOut) legs.refused.push({ phone, reason: optOutReason(app, optOut) });
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
  // issue 16: an `unknown` outcome (the bridge stopped before the SMSC answered) may be retried too
  if (d.getString('status') !== 'failed' && d.getString('status') !== 'unknown') throw new BadRequestError('Only a failed delivery can be retried.', null);
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
