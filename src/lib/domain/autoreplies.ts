// Keyword auto-replies an admin sets per business number ("HOURS" → "Open
// 9–5, Mon–Sat"), besides STOP / START / HELP. Like those, the whole text
// must be the keyword: case, spaces and trailing punctuation are ignored, so
// "hours tomorrow?" is just a text.
import { classifyKeyword } from './keywords';
import { checkSegments, planSms } from './segments';

/** KEYWORD_MAX is the longest keyword. */
export const KEYWORD_MAX = 20;

/** keywordOf reads a text the way keywords are matched: trimmed, trailing . and ! dropped, in capitals. */
export function keywordOf(text: string): string {
  return text.trim().replace(/[.!]+$/, '').toUpperCase();
}

/** checkAutoKeyword returns why a word cannot be an auto-reply keyword, or ''. */
export function checkAutoKeyword(word: string): string {
  const w = keywordOf(word);
  if (!w) return 'Enter the keyword customers text.';
  if (!new RegExp(`^[A-Z0-9]{1,${KEYWORD_MAX}}$`).test(w)) return `A keyword is one word of letters and digits, at most ${KEYWORD_MAX}.`;
  if (classifyKeyword(w)) return `${w} is kept for opt-outs and help (STOP, START, HELP and the words that mean the same); their replies are under Settings.`;
  return '';
}

/** checkAutoReply returns why a reply cannot be sent automatically, or ''. */
export function checkAutoReply(text: string): string {
  if (!text.trim()) return 'Write the reply customers get.';
  const refusal = checkSegments(planSms(text.trim()));
  return refusal ? refusal.replace('This text', 'This reply') : '';
}

