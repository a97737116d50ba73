import { describe, expect, it } from 'vitest';
import { readKeywordAnswer } from './keyword-answer.js';

describe('readKeywordAnswer', () => {
  it.each([
    ['text/plain; charset=utf-8', ' Open 9-5 today. \n', { reply: 'Open 9-5 today.' }],
    [null, 'Open 9-5', { reply: 'Open 9-5' }],
    ['application/json', '{"reply": " Table for 2 at 7 "}', { reply: 'Table for 2 at 7' }],
    ['application/vnd.booking+json', '{"reply":"ok"}', { reply: 'ok' }],
    // no reply, on purpose
    ['text/plain', '   ', { reply: '' }],
    ['application/json', '{"reply": ""}', { reply: '' }],
    ['application/json', '{"reply": null}', { reply: '' }],
    // unusable
    ['application/json', '{"ok": true}', { refused: 'The JSON answer has no "reply" string.' }],
    ['application/json', '["x"]', { refused: 'The JSON answer has no "reply" string.' }],
    ['application/json', 'Open 9-5', { refused: 'The answer says it is JSON but is not.' }],
    ['text/html', '<p>Open</p>', { refused: 'The answer is text/html; answer with text/plain or JSON {"reply": "..."}.' }],
  ])('%s %j → %j', (type, body, expected) => {
    expect(readKeywordAnswer(type, body)).toEqual(expected);
  });

  it('refuses an answer far longer than any reply without carrying it over', () => {
    expect(readKeywordAnswer('text/plain', 'x'.repeat(10_001))).toEqual({ refused: 'The answer is 10001 characters long, far more than an SMS reply.' });
  });
});
