// SMS in PocketBase: opening an SMS thread from a business number, queueing
// one delivery per external participant when a message is posted, and
// storing texts the bridge hands over (exactly once, by dedupe key).
import { badField, bodyString } from './http';
import { checkPhone, normaliseAddress } from '../../src/lib/domain/phone';
import { planSms, type SmsPlan } from '../../src/lib/domain/segments';
import { doAddParticipant } from './conversations';
import { doTouchConversation } from './messages';

/** MAX_SEGMENTS is the most SMS parts one message may cost per recipient. */
export const MAX_SEGMENTS = 10;

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
  const p = new Record(app.findCollectionByNameOrId('participants'));
  p.set('conversation', c.id);
  p.set('phone', phone);
  app.save(p);
  return c;
}

/** findPhones returns the active external participants of a conversation. */
export function findPhones(app: CoreApp, conversationId: string): string[] {
  return app
    .findRecordsByFilter('participants', "conversation = {:c} && phone != '' && left_at = ''", '', 0, 0, { c: conversationId })
    .map((p) => p!.getString('phone'));
}

/** outboundText is what an external participant receives: in groups, prefixed with the sender's name. */
export function outboundText(app: CoreApp, conversation: core.Record, author: core.Record | undefined, body: string): string {
  if (conversation.getString('kind') !== 'group' || !author) return body;
  const prefix = findSettings(app).getString('sms_name_prefix') || '{name}: ';
  return prefix.replace('{name}', author.getString('name')) + body;
}

/** checkSmsBody refuses a text that would cost more than MAX_SEGMENTS parts, and returns its plan. */
export function checkSmsBody(text: string): SmsPlan {
  const plan = planSms(text);
  if (plan.segments > MAX_SEGMENTS) {
    badField('body', `This text would be sent as ${plan.segments} SMS (${plan.encoding}); the limit is ${MAX_SEGMENTS}. Shorten it.`);
  }
  return plan;
}

/**
 * checkOutbound prepares the SMS legs of a message about to be posted: the
 * text each external participant gets and its plan. It refuses what cannot
 * be sent before anything is stored.
 */
export function checkOutbound(app: CoreApp, message: core.Record): { text: string; plan: SmsPlan; phones: string[]; from: string } | null {
  const conversation = app.findRecordById('conversations', message.getString('conversation'));
  const phones = findPhones(app, conversation.id);
  if (phones.length === 0) return null;
  const numberId = conversation.getString('our_number');
  if (!numberId) badField('conversation', 'This conversation has no business number to text from.');
  const number = app.findRecordById('numbers', numberId);
  if (!number.getBool('sms_enabled')) badField('body', `SMS is switched off for ${number.getString('e164')}.`);
  const authorId = message.getString('author');
  const author = authorId ? app.findRecordById('users', authorId) : undefined;
  const text = outboundText(app, conversation, author, message.getString('body'));
  return { text, plan: checkSmsBody(text), phones, from: number.getString('e164') };
}

/** doQueueDeliveries writes one queued delivery per external participant for a stored message. */
export function doQueueDeliveries(app: CoreApp, message: core.Record, legs: NonNullable<ReturnType<typeof checkOutbound>>, skip = ''): void {
  const collection = app.findCollectionByNameOrId('deliveries');
  for (const to of legs.phones) {
    if (to === skip) continue;
    const d = new Record(collection);
    d.set('message', message.id);
    d.set('to', to);
    d.set('from', legs.from);
    d.set('body', legs.text);
    d.set('status', 'queued');
    d.set('segments', legs.plan.segments);
    d.set('encoding', legs.plan.encoding);
    d.set('smsc_ids', []);
    d.set('attempts', 0);
    app.save(d);
  }
}

/** doStoreInbound stores a text handed over by the bridge, once per dedupe key, and puts it in its thread. */
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
      const thread = doFindOrCreateSmsThread(tx, number, from);
      const m = new Record(tx.findCollectionByNameOrId('messages'));
      m.set('conversation', thread.id);
      m.set('author_phone', from);
      m.set('kind', 'text');
      m.set('body', text);
      tx.save(m);
      doTouchConversation(tx, m);
      log.set('conversation', thread.id);
      result.conversation = thread.id;
    }
    tx.save(log);
  });
  e.json(200, result);
}
