// Texts the bridge hands over: stored exactly once (dedupe key), whatever
// the sender, routed to the conversation the phone is answering, keywords
// (STOP, START, HELP) handled, and relayed to a group's other phones.
import { badField, bodyString } from './http';
import { findSettings } from './settings';
import { doTouchConversation } from './threads';
import { doFindOrCreateSmsThread } from './sms';
import { type Moved } from './numbers';
import { doAfterCustomerText, doPublishQueueChange, doQueueText, findNumberQueue, type QueueChange } from './queues';
import { doAutoReply, doQueueDeliveries, prefixed, type Legs } from './outbound';
import { findOptOut, findPhones, optOutReason } from './phones';
import { findNames } from './contacts';
import { doWantCallerName } from './callernames';
import { doEnqueueInbound } from './webhooks';
import { doKeywordReply, findKeywordReply } from './autoreplies';
import { canReceiveSms, formatPhone, noReplyReason, normaliseAddress } from '../../src/lib/domain/phone';
import { classifyKeyword } from '../../src/lib/domain/keywords';
import { MAX_SEGMENTS, checkSegments, planSms } from '../../src/lib/domain/segments';

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

/** InboundText is a text as the bridge hands it over, parsed from the route's body. */
export interface InboundText {
  dedupeKey: string;
  from: string;
  to: string;
  body: string;
  incomplete: boolean;
  link: string;
}

/** Stored is the inbound route's answer: stored once, a repeat of a stored text, and the conversation it went to ('' when unrouted). */
export interface Stored {
  stored: true;
  duplicate: boolean;
  conversation: string;
}

/**
 * checkInboundText reads the inbound route's body. Only a missing dedupe key
 * is refused (the bridge always sends one); whatever the SMSC wrote is kept:
 * a sender name or short code as is, a missing address as "unknown".
 */
export function checkInboundText(app: CoreApp, body: { [key: string]: any }): InboundText {
  const dedupeKey = bodyString(body, 'dedupe_key');
  if (!dedupeKey) badField('dedupe_key', 'dedupe_key is required.');
  const country = findSettings(app).getString('default_country');
  return {
    dedupeKey,
    // an SMPP text is at most 255 parts (39,015 GSM characters): the column holds that
    body: typeof body.body === 'string' ? body.body.slice(0, LONGEST_INBOUND) : '',
    from: normaliseAddress(bodyString(body, 'from'), country).slice(0, 20) || UNKNOWN_ADDRESS,
    to: normaliseAddress(bodyString(body, 'to'), country).slice(0, 20) || UNKNOWN_ADDRESS,
    incomplete: body.incomplete === true,
    link: bodyString(body, 'link'),
  };
}

/** doReceiveText stores a text once per dedupe key and routes it, in one transaction. */
export function doReceiveText(app: CoreApp, text: InboundText): Stored {
  let result: Stored = { stored: true, duplicate: false, conversation: '' };
  const change: QueueChange = { moved: [], queues: [] };
  app.runInTransaction((tx) => {
    try {
      const earlier = tx.findFirstRecordByData('inbound_log', 'dedupe_key', text.dedupeKey);
      result = { stored: true, duplicate: true, conversation: earlier.getString('conversation') };
      return;
    } catch (_) {
      // new text
    }
    const log = new Record(tx.findCollectionByNameOrId('inbound_log'));
    log.set('dedupe_key', text.dedupeKey);
    log.set('from', text.from);
    log.set('to', text.to);
    log.set('body', text.body);
    log.set('incomplete', text.incomplete);
    if (text.link) log.set('smsc_link', text.link);
    let number: core.Record | undefined;
    try {
      number = tx.findFirstRecordByData('numbers', 'e164', text.to);
    } catch (_) {
      // unknown business number: kept in the log for the admin
    }
    if (number) {
      const conversation = doRouteText(tx, number, text, change.moved);
      if (conversation.getString('queue')) change.queues.push(conversation.getString('queue'));
      log.set('conversation', conversation.id);
      result.conversation = conversation.id;
    }
    tx.save(log);
  });
  doPublishQueueChange(app, change);
  return result;
}

/** doRouteText writes a text to a known business number into its conversation and answers keywords or relays it. */
function doRouteText(app: CoreApp, number: core.Record, text: InboundText, moved: Moved): core.Record {
  const { from } = text;
  const queue = findNumberQueue(app, number);
  // a queue number's texts go to the customer's queue thread (DESIGN.md §4, rule 1)
  const routed = queue ? doQueueText(app, number, queue, from) : null;
  if (routed) moved.push(...routed.moved);
  const conversation = routed?.conversation ?? findReplyConversation(app, number, from) ?? doFindOrCreateSmsThread(app, number, from);
  const m = new Record(app.findCollectionByNameOrId('messages'));
  m.set('conversation', conversation.id);
  m.set('author_phone', from);
  m.set('kind', 'text');
  m.set('body', text.body);
  app.save(m);
  doTouchConversation(app, m);
  // the name is looked up later, by the sweep: nothing here waits for it
  doWantCallerName(app, from);
  // integrations listening on the number hear of it from the bridge's worker, later
  doEnqueueInbound(app, number, m, from);
  // keywords need a sender that can be answered
  const kw = canReceiveSms(from) ? classifyKeyword(text.body) : null;
  if (kw?.keyword === 'stop') doOptOut(app, number, from, kw.word, conversation);
  else if (kw?.keyword === 'start') doOptIn(app, number, from, conversation);
  else if (kw?.keyword === 'help') doHelpReply(app, number, from, conversation);
  // the admin's own keywords (lib/autoreplies.ts) are answered, not relayed
  const auto = kw || !canReceiveSms(from) ? undefined : findKeywordReply(app, number, text.body);
  if (auto) doKeywordReply(app, number, from, conversation, auto, m);
  else if (!kw) doRelay(app, conversation, m, number, from);
  if (queue) doAfterCustomerText(app, conversation, number, queue, from, routed!.greet && !kw && !auto);
  return conversation;
}

/** doRelay sends an external member's text to the other external members of the same conversation. */
export function doRelay(app: CoreApp, conversation: core.Record, message: core.Record, number: core.Record, from: string): void {
  const others = findPhones(app, conversation.id).filter((p) => p !== from);
  if (others.length === 0) return;
  // the shared phonebook's name: a personal contact's is its owner's alone
  const name = findNames(app, [from], '')[from]?.name || formatPhone(from, findSettings(app).getString('default_country'));
  const text = prefixed(app, name, message.getString('body'));
  const plan = planSms(text);
  // a text longer than anyone may send is kept whole in the conversation,
  // but not relayed: each leg says why
  const tooLong = checkSegments(plan);
  const legs: Legs = { text, plan, from: number.getString('e164'), numberId: number.id, link: number.getString('smsc_link'), phones: [], refused: [] };
  for (const phone of others) {
    const optOut = findOptOut(app, phone, number.id);
    const refusal = tooLong ? `Not relayed by SMS: it would take ${plan.segments} parts; the limit is ${MAX_SEGMENTS}.` : !canReceiveSms(phone) ? noReplyReason(phone) : optOut ? optOutReason(app, optOut) : '';
    if (refusal) legs.refused.push({ phone, reason: refusal });
    else legs.phones.push(phone);
  }
  doQueueDeliveries(app, message, legs);
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
