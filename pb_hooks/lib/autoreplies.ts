// Keyword auto-replies: per business number, a word (besides STOP / START /
// HELP) a phone may text to get a set reply, or a reply from a webhook.
// Checked when an admin saves one; answered when a text to the number is
// exactly the word, in the inbound text's transaction: the fixed reply at
// once (a system line and one queued SMS), or an `sms.keyword` webhook call
// queued for the bridge's worker, whose answer comes back through the
// service-only reply route (doKeywordWebhookReply), exactly once per call.
// docs/integrations.md, "Keyword auto-replies".
import { badField } from './http';
import { doAutoReply } from './outbound';
import { findOptOut } from './phones';
import { doEnqueueKeyword } from './webhooks';
import { checkAutoKeyword, checkAutoReply, keywordOf } from '../../src/lib/domain/autoreplies';

/** liveIntegration returns the integration that signs a keyword's calls, if it is not revoked and may receive webhooks. */
function liveIntegration(app: CoreApp, id: string): core.Record | undefined {
  if (!id) return undefined;
  try {
    const integration = app.findRecordById('integrations', id);
    return integration.getBool('scope_webhooks') && !integration.getString('revoked_at') ? integration : undefined;
  } catch (_) {
    return undefined;
  }
}

/**
 * checkKeywordReply refuses a reserved or malformed keyword, a too long
 * reply, an empty one without a webhook, and a webhook without an
 * integration that may receive webhooks; stores the keyword in capitals.
 */
export function checkKeywordReply(app: CoreApp, record: core.Record): void {
  const keywordProblem = checkAutoKeyword(record.getString('keyword'));
  if (keywordProblem) badField('keyword', keywordProblem);
  const url = record.getString('webhook_url').trim();
  if (url && !/^https?:\/\//i.test(url)) badField('webhook_url', 'The webhook URL starts with http:// or https://.');
  const reply = record.getString('reply').trim();
  // with a webhook, the fixed reply is the fallback, and may be left out
  const replyProblem = url && !reply ? '' : checkAutoReply(reply);
  if (replyProblem) badField('reply', replyProblem);
  if (url) {
    const id = record.getString('integration');
    if (!id) badField('integration', 'Choose the integration whose secret signs the webhook calls.');
    if (!liveIntegration(app, id)) badField('integration', 'That integration cannot receive webhooks: it is revoked, or "Receive webhooks" is off on it.');
  } else {
    record.set('integration', '');
  }
  record.set('keyword', keywordOf(record.getString('keyword')));
  record.set('reply', reply);
  record.set('webhook_url', url);
}

/** findKeywordReply returns the number's auto-reply for a text that is exactly one of its keywords, if any. */
export function findKeywordReply(app: CoreApp, number: core.Record, body: string): core.Record | undefined {
  const word = keywordOf(body);
  // a keyword is one word: most texts are not, and cost no lookup
  if (!word || word.length > 20 || /[^A-Z0-9]/.test(word)) return undefined;
  try {
    return app.findFirstRecordByFilter('keyword_replies', 'our_number = {:n} && keyword = {:k}', { n: number.id, k: word });
  } catch (_) {
    return undefined;
  }
}

/**
 * doKeywordReply answers a keyword (never to a phone that opted out): with a
 * webhook whose integration is live, it only queues the call; else it sends
 * the fixed reply, if there is one.
 */
export function doKeywordReply(app: CoreApp, number: core.Record, phone: string, conversation: core.Record, auto: core.Record, message: core.Record): void {
  if (findOptOut(app, phone, number.id)) return;
  const integration = auto.getString('webhook_url') ? liveIntegration(app, auto.getString('integration')) : undefined;
  if (integration) {
    doEnqueueKeyword(app, integration, auto, number, message, phone);
    return;
  }
  if (!auto.getString('reply')) return;
  const keyword = auto.getString('keyword');
  doAutoReply(app, conversation, number, phone, `Sent the automatic reply to ${keyword}`, auto.getString('reply'), { type: 'keyword_reply', phone, keyword });
}

/**
 * KeywordAnswer is what the worker made of a keyword call: the receiver's
 * reply ('' for none), or why its 2xx answer cannot be used, or why the call
 * failed after its attempts.
 */
export type KeywordAnswer = { reply: string } | { refused: string } | { failed: string };

/** KeywordOutcome is the reply route's answer: what was texted back for the call, and whether an earlier hand-over had decided it. */
export interface KeywordOutcome {
  outcome: string;
  note: string;
  duplicate: boolean;
}

/** checkKeywordAnswer reads the reply route's body: exactly one of `reply`, `refused`, `failed`, a string. */
export function checkKeywordAnswer(body: { [key: string]: any }): KeywordAnswer {
  const given = ['reply', 'refused', 'failed'].filter((k) => body[k] !== undefined);
  if (given.length !== 1 || typeof body[given[0]] !== 'string') badField('reply', 'Send exactly one of reply, refused or failed, as a string.');
  const value = String(body[given[0]]).slice(0, 40000);
  if (given[0] === 'reply') return { reply: value.trim() };
  return given[0] === 'refused' ? { refused: value.slice(0, 300) } : { failed: value.slice(0, 300) };
}

/**
 * doKeywordWebhookReply texts the phone what a keyword call produced, once
 * per call whatever the number of hand-overs (a retried or restarted worker,
 * an admin's resend): the first decides, in one transaction with the reply,
 * and later ones get that outcome back with `duplicate`. An answer is sent
 * as it is; an empty one sends nothing; an answer that is too long or
 * unusable, and a failed call, send the keyword's fixed reply if it has one.
 * A phone that opted out meanwhile gets nothing.
 */
export function doKeywordWebhookReply(app: CoreApp, callId: string, answer: KeywordAnswer): KeywordOutcome {
  let result: KeywordOutcome = { outcome: '', note: '', duplicate: false };
  app.runInTransaction((tx) => {
    let call: core.Record;
    try {
      call = tx.findRecordById('webhook_calls', callId);
    } catch (_) {
      throw new NotFoundError('No such webhook call.', null);
    }
    if (call.getString('event') !== 'sms.keyword') badField('reply', 'Only a keyword call (sms.keyword) has a reply.');
    if (call.getString('reply_outcome')) {
      result = { outcome: call.getString('reply_outcome'), note: call.getString('reply_note'), duplicate: true };
      return;
    }
    result = { ...doDecideReply(tx, call, answer), duplicate: false };
    call.set('reply_outcome', result.outcome);
    call.set('reply_note', result.note.slice(0, 500));
    tx.save(call);
  });
  return result;
}

function doDecideReply(app: CoreApp, call: core.Record, answer: KeywordAnswer): { outcome: string; note: string } {
  const payload = JSON.parse(call.getString('payload') || '{}') as { keyword?: string; from?: string; to?: string; conversation?: string };
  const keyword = String(payload.keyword ?? '');
  const phone = String(payload.from ?? '');
  let number: core.Record, conversation: core.Record;
  try {
    number = app.findFirstRecordByData('numbers', 'e164', String(payload.to ?? ''));
    conversation = app.findRecordById('conversations', String(payload.conversation ?? ''));
  } catch (_) {
    return { outcome: 'none', note: 'Not replied: the business number or the thread is gone.' };
  }
  if (findOptOut(app, phone, number.id)) return { outcome: 'none', note: 'Not replied: the phone opted out.' };
  const event = { type: 'keyword_reply', phone, keyword, webhook_call: call.id };
  let why: string;
  if ('reply' in answer) {
    if (!answer.reply) return { outcome: 'empty', note: 'The webhook answered with no reply: nothing was sent.' };
    const tooLong = checkAutoReply(answer.reply);
    if (!tooLong) {
      doAutoReply(app, conversation, number, phone, `Sent the webhook's reply to ${keyword}`, answer.reply, { ...event, source: 'webhook' });
      return { outcome: 'sent', note: '' };
    }
    why = `Refused the answer: ${tooLong.replace('This reply', 'It')}`;
  } else {
    why = 'refused' in answer ? `Refused the answer: ${answer.refused}` : `The call failed: ${answer.failed}`;
  }
  let fallback = '';
  try {
    fallback = app.findRecordById('keyword_replies', call.getString('keyword_reply')).getString('reply');
  } catch (_) {
    // the keyword was removed since: no fallback
  }
  if (!fallback) return { outcome: 'refused' in answer || 'reply' in answer ? 'refused' : 'none', note: `${why} No fixed reply to send instead.` };
  doAutoReply(app, conversation, number, phone, `Sent the automatic reply to ${keyword}`, fallback, { ...event, source: 'fallback' });
  return { outcome: 'fallback', note: `${why} Sent the fixed reply instead.` };
}
