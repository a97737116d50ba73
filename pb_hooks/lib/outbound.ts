// Outbound SMS: what a message posted into a conversation with phones
// turns into (one delivery per phone, queued or failed with the reason),
// written in the same transaction as the message.
import { badField } from './http';
import { findSettings } from './settings';
import { checkMayText } from './numbers';
import { doSystemLine } from './threads';
import { findOptOut, findPhones, optOutReason } from './phones';
import { canReceiveSms, noReplyReason } from '../../src/lib/domain/phone';
import { checkSegments, planSms, type SmsPlan } from '../../src/lib/domain/segments';
import { previewOf } from '../../src/lib/domain/messages';
import { smsText } from '../../src/lib/domain/attachments';

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
  /** link is the number's smsc_link ('' for none); looked up when absent */
  link?: string;
  phones: string[];
  refused: { phone: string; reason: string }[];
  /** ids are delivery ids promised before the message was stored, by phone (a scheduled send told its caller) */
  ids?: { [phone: string]: string };
}

/**
 * checkOutbound prepares the SMS legs of a message about to be posted (in an
 * SMS thread the author must be allowed on its number; in a group any member
 * writes to its phones). An
 * SMS thread whose phone opted out refuses the message; in a group the
 * opted-out members get a failed leg that says why, and the others their SMS.
 * `links` are the public links of the message's files, sent after its text.
 */
export function checkOutbound(
  app: CoreApp,
  message: core.Record,
  conversation = app.findRecordById('conversations', message.getString('conversation')),
  // files reach phones as links after the text (docs/attachments.md)
  links: string[] = [],
  // the author's record when the caller has it (doPostMessage)
  authorRecord?: core.Record | null,
): Legs | null {
  // phones come only with a business number: team chat skips the lookup
  const numberId = conversation.getString('our_number');
  if (!numberId) return null;
  const phones = findPhones(app, conversation.id);
  if (phones.length === 0) return null;
  const number = app.findRecordById('numbers', numberId);
  if (!number.getBool('sms_enabled')) badField('body', `SMS is switched off for ${number.getString('e164')}.`);
  const authorId = message.getString('author');
  // files reach phones as links after the text (docs/attachments.md)
  const body = smsText(message.getString('body'), links);
  const author = !authorId ? null : authorRecord && authorRecord.id === authorId ? authorRecord : app.findRecordById('users', authorId);
  // in a queue, the queue decides who replies (checkQueuePost); in a group,
  // whoever added its phones chose the number and was allowed on it: every
  // member may write to them (docs/sms.md, "Mixed groups")
  if (author && !conversation.getString('queue') && conversation.getString('kind') !== 'group') checkMayText(app, author, numberId, number);
  const text = conversation.getString('kind') === 'group' && author ? prefixed(app, author.getString('name'), body) : body;
  const legs: Legs = { text, plan: checkSmsBody(text), from: number.getString('e164'), numberId, link: number.getString('smsc_link'), phones: [], refused: [] };
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
  // the cached schema: no query per message
  const collection = app.findCachedCollectionByNameOrId('deliveries');
  // the bridge reads a link's waiting texts by link and queue time (docs/bridge.md, "A link that is down")
  const link = legs.link ?? app.findRecordById('numbers', legs.numberId).getString('smsc_link');
  const queuedAt = new DateTime();
  const write = (to: string, status: string, error: string) => {
    const d = new Record(collection);
    const id = legs.ids ? legs.ids[to] : '';
    if (id) d.set('id', id);
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
    if (status === 'queued') {
      d.set('link', link);
      d.set('queued_at', queuedAt);
    }
    if (status === 'failed') d.set('done_at', new DateTime());
    app.save(d);
  };
  for (const to of legs.phones) write(to, 'queued', '');
  for (const r of legs.refused) write(r.phone, 'failed', r.reason);
}

/** doAutoReply writes a system line with the text sent back to the phone, and queues that one SMS. */
export function doAutoReply(app: CoreApp, conversation: core.Record, number: core.Record, phone: string, line: string, reply: string, event: object): void {
  const m = doSystemLine(app, conversation, null, line, event);
  const legs: Legs = { text: reply, plan: planSms(reply), from: number.getString('e164'), numberId: number.id, link: number.getString('smsc_link'), phones: [phone], refused: [] };
  doQueueDeliveries(app, m, legs);
}
