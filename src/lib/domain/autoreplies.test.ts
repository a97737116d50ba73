import { describe, expect, it } from 'vitest';
import { checkAutoKeyword, checkAutoReply, keywordOf } from './autoreplies';

describe('keyword auto-replies', () => {
  it.each([
    ['hours', 'HOURS'],
    ['  Hours!! ', 'HOURS'],
    ['menu.', 'MENU'],
    ['hours tomorrow?', 'HOURS TOMORROW?'],
  ])('reads %j as %j', (text, word) => expect(keywordOf(text)).toBe(word));

  it.each([
    ['HOURS', ''],
    ['promo2026', ''],
    ['', 'Enter the keyword customers text.'],
    ['two words', 'A keyword is one word of letters and digits, at most 20.'],
    ['x'.repeat(21), 'A keyword is one word of letters and digits, at most 20.'],
    ['stop', 'STOP is kept for opt-outs and help (STOP, START, HELP and the words that mean the same); their replies are under Settings.'],
    ['Unsubscribe', 'UNSUBSCRIBE is kept for opt-outs and help (STOP, START, HELP and the words that mean the same); their replies are under Settings.'],
    ['help!', 'HELP is kept for opt-outs and help (STOP, START, HELP and the words that mean the same); their replies are under Settings.'],
  ])('keyword %j → %j', (word, problem) => expect(checkAutoKeyword(word)).toBe(problem));

  it('refuses an empty reply and one longer than the SMS limit', () => {
    expect(checkAutoReply('Open 9-5, Mon-Sat.')).toBe('');
    expect(checkAutoReply('  ')).toBe('Write the reply customers get.');
    expect(checkAutoReply('x'.repeat(1600))).toBe('This reply would be sent as 11 SMS (GSM-7); the limit is 10. Shorten it.');
  });
});
