// The send API (`POST /api/v1/sms`, `GET /api/v1/deliveries/{id}`): an
// integration texts a phone from one of its business numbers. The text goes
// through the same steps as a person's send in an SMS thread: the thread is
// opened by doFindOrCreateSmsThread, checked by checkBody and checkOutbound
// (SMS on, opt-outs, segments), stored with doTouchConversation and its
// deliveries queued by doQueueDeliveries, in one transaction. It has no
// `author`; `integration` (and `integration_name`) mark who sent it.
// With `send_at` the text passes the same checks and is stored as a
// scheduled send (lib/scheduled.ts) that goes at its time, and that the
// integration may cancel until then (`POST /api/v1/deliveries/{id}/cancel`,
// doApiCancel, through doCancelScheduled). docs/integrations.md.
import { badField, bodyString } from './http';
import { findSettings } from './settings';
import { doTouchConversation } from './threads';
import { doFindOrCreateSmsThread, smsKey } from './sms';
import { checkOutbound, doQueueDeliveries, type Legs } from './outbound';
import { findByClientKey } from './messages';
import { checkSendAtText, doCancelScheduled, findScheduledByClientKey, newId } from './scheduled';
import { findPhones } from './phones';
import { planSms } from '../../src/lib/domain/segments';
import { checkBody } from '../../src/lib/domain/messages';
import { checkPhone } from '../../src/lib/domain/phone';

/** SendRequest is a parsed `POST /api/v1/sms` body. */
export interface SendRequest {
  from: string;
  to: string;
  text: string;
  clientKey: string;
  /** when to send (ISO 8601 with its zone, checked); null: now */
  sendAt: DateTime | null;
}

/** SendAnswer is what the send API answers: the stored message and its delivery. */
export interface SendAnswer {
  message: string;
  conversation: string;
  delivery: string;
  from: string;
  to: string;
  status: string;
  segments: number;
  encoding: string;
  client_key: string;
  duplicate: boolean;
  /** the scheduled send's id, its time, and why it failed (scheduled sends only) */
  scheduled?: string;
  send_at?: string;
  error?: string;
}

/** checkSendRequest reads the body of a send; `send_at`, when given, is an instant with its zone, not past, at most a year ahead. */
export function checkSendRequest(body: { [key: string]: any }): SendRequest {
  const sendAt = body.send_at !== undefined && body.send_at !== '' && body.send_at !== null ? checkSendAtText(body.send_at) : null;
  if (typeof body.text !== 'string') badField('text', 'Text is required: the text to send.');
  if (body.client_key !== undefined && typeof body.client_key !== 'string') badField('client_key', 'The client_key must be a string.');
  const clientKey = bodyString(body, 'client_key');
  if (clientKey.length > 64) badField('client_key', 'The client_key is at most 64 characters.');
  return { from: bodyString(body, 'from'), to: bodyString(body, 'to'), text: body.text, clientKey, sendAt };
}

/** accessFromNumber returns the business number a send goes from: the one named (if the key may use it), else the key's default or only number. */
function accessFromNumber(app: CoreApp, integration: core.Record, from: string, country: string): core.Record {
  const ids = integration.getStringSlice('numbers');
  if (!from) {
    const id = integration.getString('default_number') || (ids.length === 1 ? ids[0] : '');
    if (!id) badField('from', 'Say which business number to text from (from): this key may use several and has no default.');
    return app.findRecordById('numbers', id);
  }
  const parsed = checkPhone(from, country);
  if (!parsed.ok) badField('from', `From: ${parsed.error}`);
  let number: core.Record | undefined;
  try {
    number = app.findFirstRecordByData('numbers', 'e164', parsed.e164);
  } catch (_) {
    // refused below, the same way: the caller learns nothing about numbers it may not use
  }
  if (!number || !ids.includes(number.id)) {
    throw new ForbiddenError(`This API key may not text from ${parsed.e164}. An administrator can add the number to the key under Admin → Integrations.`, { from: new ValidationError('not_in_scope', 'Number not in this key\'s scope.') });
  }
  return number;
}

function findSent(app: CoreApp, integration: core.Record, clientKey: string): core.Record | undefined {
  return findByClientKey(app, '', clientKey, integration.id);
}

function answerOf(app: CoreApp, message: core.Record, duplicate: boolean): SendAnswer {
  const d = app.findFirstRecordByFilter('deliveries', 'message = {:m}', { m: message.id });
  return {
    message: message.id,
    conversation: message.getString('conversation'),
    delivery: d.id,
    from: d.getString('from'),
    to: d.getString('to'),
    status: d.getString('status'),
    segments: d.getInt('segments'),
    encoding: d.getString('encoding'),
    client_key: message.getString('client_key'),
    duplicate,
  };
}

/** scheduledAnswer is the send API's answer for a scheduled send: `scheduled`, `cancelled`, `failed`, or once it went its delivery's status. */
function scheduledAnswer(app: CoreApp, row: core.Record, duplicate: boolean): SendAnswer {
  const sendAt = row.getDateTime('send_at').string().replace(' ', 'T');
  if (row.getString('state') === 'sent') {
    return { ...answerOf(app, app.findRecordById('messages', row.getString('message')), duplicate), scheduled: row.id, send_at: sendAt };
  }
  const conversation = app.findRecordById('conversations', row.getString('conversation'));
  const plan = planSms(row.getString('body'));
  return {
    message: row.getString('message'),
    conversation: conversation.id,
    delivery: row.getString('delivery'),
    from: app.findRecordById('numbers', conversation.getString('our_number')).getString('e164'),
    to: findPhones(app, conversation.id)[0] ?? '',
    status: row.getString('state'),
    segments: plan.segments,
    encoding: plan.encoding,
    client_key: row.getString('client_key'),
    duplicate,
    scheduled: row.id,
    send_at: sendAt,
    error: row.getString('error'),
  };
}

/**
 * doApiSend stores an integration's text in the SMS thread between the
 * business number and the phone and queues its delivery. A repeated
 * client_key answers with the text already stored (duplicate: true),
 * whatever has changed since.
 */
export function doApiSend(app: CoreApp, integration: core.Record, req: SendRequest): SendAnswer {
  // a scheduled send's message carries its key too once it went: the schedule answers
  const planned = findScheduledByClientKey(app, '', req.clientKey, integration.id);
  if (planned) return scheduledAnswer(app, planned, true);
  const earlier = findSent(app, integration, req.clientKey);
  if (earlier) return answerOf(app, earlier, true);
  const problem = checkBody(req.text);
  if (problem) badField('text', problem);
  const country = findSettings(app).getString('default_country');
  const number = accessFromNumber(app, integration, req.from, country);
  const to = checkPhone(req.to, country);
  if (!to.ok) badField('to', `To: ${to.error}`);
  if (to.e164 === number.getString('e164')) badField('to', 'To is the business number itself.');
  const newMessage = (thread: core.Record) => {
    const m = new Record(app.findCollectionByNameOrId('messages'));
    m.set('conversation', thread.id);
    m.set('kind', 'text');
    m.set('body', req.text);
    m.set('integration', integration.id);
    m.set('integration_name', integration.getString('name'));
    m.set('client_key', req.clientKey);
    return m;
  };
  const newScheduled = (thread: core.Record, legs: Legs | null) => {
    const s = new Record(app.findCollectionByNameOrId('scheduled_messages'));
    s.set('conversation', thread.id);
    s.set('body', req.text);
    s.set('integration', integration.id);
    s.set('integration_name', integration.getString('name'));
    s.set('client_key', req.clientKey);
    s.set('send_at', req.sendAt);
    s.set('state', 'scheduled');
    s.set('message', newId());
    // the delivery's id is promised now: GET /api/v1/deliveries/{id} follows it from scheduled to delivered
    if (legs && legs.phones.length === 1) s.set('delivery', newId());
    return s;
  };
  let message: core.Record | undefined;
  let scheduled: core.Record | undefined;
  try {
    // an existing thread is checked before the transaction, as a person's
    // send is (doPostMessage): the write lock is held for the writes only
    let thread: core.Record | undefined;
    try {
      thread = app.findFirstRecordByData('conversations', 'sms_key', smsKey(number.id, to.e164));
    } catch (_) {
      // the first text to this phone from this number: the thread is made below
    }
    let checked: { m: core.Record; legs: Legs | null } | null = null;
    if (thread) {
      const m = newMessage(thread);
      checked = { m, legs: checkOutbound(app, m, thread) };
    }
    app.runInTransaction((tx) => {
      let m: core.Record;
      let legs: Legs | null;
      if (checked) {
        m = checked.m;
        legs = checked.legs;
      } else {
        const made = doFindOrCreateSmsThread(tx, number, to.e164);
        m = newMessage(made);
        // the checks a person's send passes: SMS on, not opted out, at most MAX_SEGMENTS parts
        legs = checkOutbound(tx, m, made);
      }
      if (req.sendAt) {
        // the checks above are the ones a scheduled send passes now (lib/scheduled.ts, checkScheduled)
        const s = newScheduled(tx.findRecordById('conversations', m.getString('conversation')), legs);
        tx.save(s);
        scheduled = s;
        return;
      }
      tx.save(m);
      doTouchConversation(tx, m);
      if (legs) doQueueDeliveries(tx, m, legs);
      message = m;
    });
  } catch (err) {
    // a concurrent retry with the same key won the unique index
    const plannedWinner = findScheduledByClientKey(app, '', req.clientKey, integration.id);
    if (plannedWinner) return scheduledAnswer(app, plannedWinner, true);
    const winner = findSent(app, integration, req.clientKey);
    if (!winner) throw err;
    return answerOf(app, winner, true);
  }
  if (scheduled) return scheduledAnswer(app, scheduled, false);
  return answerOf(app, message!, false);
}

/** findApiDelivery returns a delivery of a text this integration sent, in the API's shape; 404 for any other. */
export function findApiDelivery(app: CoreApp, integration: core.Record, id: string): { [key: string]: unknown } {
  const missing = () => new NotFoundError('No delivery with that id was sent with this API key.', null);
  let d: core.Record;
  try {
    d = app.findRecordById('deliveries', id);
  } catch (_) {
    // a scheduled text's delivery has its id before it exists
    let planned: core.Record;
    try {
      planned = app.findFirstRecordByFilter('scheduled_messages', 'delivery = {:id} && integration = {:i}', { id, i: integration.id });
    } catch (_) {
      throw missing();
    }
    const a = scheduledAnswer(app, planned, false);
    return {
      id,
      message: a.message,
      client_key: a.client_key,
      from: a.from,
      to: a.to,
      status: a.status,
      error: a.error ?? '',
      segments: a.segments,
      attempts: 0,
      send_at: a.send_at,
      queued_at: '',
      sent_at: '',
      done_at: planned.getString('done_at'),
      updated: planned.getString('updated'),
    };
  }
  const m = app.findRecordById('messages', d.getString('message'));
  if (m.getString('integration') !== integration.id) throw missing();
  return {
    id: d.id,
    message: m.id,
    client_key: m.getString('client_key'),
    from: d.getString('from'),
    to: d.getString('to'),
    status: d.getString('status'),
    error: d.getString('error'),
    segments: d.getInt('segments'),
    attempts: d.getInt('attempts'),
    queued_at: d.getString('queued_at'),
    sent_at: d.getString('sent_at'),
    done_at: d.getString('done_at'),
    updated: d.getString('updated'),
  };
}

/**
 * doApiCancel cancels a text this integration scheduled, named by the
 * delivery id the send answered, through doCancelScheduled (the thread's
 * Cancel: one transaction, the row records who cancelled, the members see
 * it leave). It answers with the delivery as GET does (status
 * "cancelled"); a text already cancelled (by the key or by a member)
 * answers the same, so a retry is harmless. 409 with a sentence when it
 * went, failed or was never scheduled; 404 for any id this key did not
 * schedule or send.
 */
export function doApiCancel(app: CoreApp, integration: core.Record, id: string): { [key: string]: unknown } {
  let planned: core.Record | undefined;
  try {
    if (!id) throw new Error('no id');
    planned = app.findFirstRecordByFilter('scheduled_messages', 'delivery = {:id} && integration = {:i}', { id, i: integration.id });
  } catch (_) {
    // sent at once, or not this key's: findApiDelivery tells which (404 for the latter)
  }
  if (!planned) {
    findApiDelivery(app, integration, id);
    throw new ApiError(409, 'This text was sent at once, not scheduled; a text that went cannot be cancelled.', null);
  }
  if (planned.getString('state') !== 'cancelled') {
    try {
      doCancelScheduled(app, integration, planned.id);
    } catch (err) {
      // a member (or a retry) cancelled it in between: the same answer as a repeat
      if (app.findRecordById('scheduled_messages', planned.id).getString('state') !== 'cancelled') throw err;
    }
  }
  return findApiDelivery(app, integration, id);
}
