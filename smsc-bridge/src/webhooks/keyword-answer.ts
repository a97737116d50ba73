// What a receiver's 2xx answer to an `sms.keyword` call says to text back:
// a text/plain body is the reply as it is, a JSON body `{"reply": "..."}`
// its `reply`; an empty body (or `"reply": ""` / null) means no reply.
// Anything else cannot be used and is refused with a sentence for the call's
// log (PocketBase then sends the keyword's fixed reply, if it has one). The
// length in SMS parts is PocketBase's check; here only an answer far longer
// than any reply is refused, so it is not carried over. docs/integrations.md,
// "Keyword auto-replies".

/** KEYWORD_ANSWER_MAX: characters of an answer handed over to PocketBase (10 UCS-2 parts are 670, 10 GSM parts 1,530). */
export const KEYWORD_ANSWER_MAX = 10_000;

/** KeywordAnswer is what is handed to PocketBase's reply route for a 2xx answer. */
export type KeywordAnswer = { reply: string } | { refused: string };

/** readKeywordAnswer reads a 2xx answer by its Content-Type: text/plain (or none) as is, JSON by its `reply`. */
export function readKeywordAnswer(contentType: string | null, body: string): KeywordAnswer {
  if (!body.trim()) return { reply: '' };
  if (body.length > KEYWORD_ANSWER_MAX) return { refused: `The answer is ${body.length} characters long, far more than an SMS reply.` };
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (_) {
      return { refused: 'The answer says it is JSON but is not.' };
    }
    const reply = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as { reply?: unknown }).reply : undefined;
    if (reply === null || reply === '') return { reply: '' };
    if (typeof reply !== 'string') return { refused: 'The JSON answer has no "reply" string.' };
    return { reply: reply.trim() };
  }
  if (type === '' || type === 'text/plain') return { reply: body.trim() };
  return { refused: `The answer is ${type}; answer with text/plain or JSON {"reply": "..."}.` };
}
