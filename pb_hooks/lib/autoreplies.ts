// Keyword auto-replies: per business number, a word (besides STOP / START /
// HELP) a phone may text to get a set reply. Checked when an admin saves one;
// answered when a text to the number is exactly the word, with a system line
// in the thread and one queued SMS, in the inbound text's transaction.
// docs/integrations.md, "Keyword auto-replies".
import { badField } from './http';
import { doAutoReply } from './outbound';
import { findOptOut } from './phones';
import { checkAutoKeyword, checkAutoReply, keywordOf } from '../../src/lib/domain/autoreplies';

/** checkKeywordReply refuses a reserved or malformed keyword and an empty or too long reply; stores the keyword in capitals. */
export function checkKeywordReply(record: core.Record): void {
  const keywordProblem = checkAutoKeyword(record.getString('keyword'));
  if (keywordProblem) badField('keyword', keywordProblem);
  const replyProblem = checkAutoReply(record.getString('reply'));
  if (replyProblem) badField('reply', replyProblem);
  record.set('keyword', keywordOf(record.getString('keyword')));
  record.set('reply', record.getString('reply').trim());
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

/** doKeywordReply sends a keyword's reply back to the phone (never to one that opted out) with a system line. */
export function doKeywordReply(app: CoreApp, number: core.Record, phone: string, conversation: core.Record, auto: core.Record): void {
  if (findOptOut(app, phone, number.id)) return;
  const keyword = auto.getString('keyword');
  doAutoReply(app, conversation, number, phone, `Sent the automatic reply to ${keyword}`, auto.getString('reply'), { type: 'keyword_reply', phone, keyword });
}
