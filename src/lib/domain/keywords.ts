// SMS keywords a phone can send to a business number: opt out, opt back in,
// ask for help. The whole text must be the keyword (case, spaces and
// trailing punctuation ignored), so "stop by tomorrow" is just a text.

export type Keyword = 'stop' | 'start' | 'help';

const WORDS: Record<string, Keyword> = {
  STOP: 'stop',
  STOPALL: 'stop',
  UNSUBSCRIBE: 'stop',
  CANCEL: 'stop',
  END: 'stop',
  QUIT: 'stop',
  START: 'start',
  UNSTOP: 'start',
  HELP: 'help',
};

/** classifyKeyword returns the keyword a text is, with the word as written in capitals, or null for an ordinary text. */
export function classifyKeyword(text: string): { keyword: Keyword; word: string } | null {
  const word = text.trim().replace(/[.!]+$/, '').toUpperCase();
  const keyword = WORDS[word];
  return keyword ? { keyword, word } : null;
}
