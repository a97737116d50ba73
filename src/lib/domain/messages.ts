// What a message body may be, and its one-line preview: the same rules and
// wording for the hooks (the last word) and the composer (spares a round trip).
import { hasVisibleText } from './text';

/** MAX_BODY is the longest text a message may carry, in characters (code points). */
export const MAX_BODY = 4000;
const PREVIEW = 200;

/** checkBody returns why a text cannot be sent, or '' when it can. */
export function checkBody(body: string): string {
  if (!hasVisibleText(body)) return 'Write something before sending.';
  // count code points, the way a person counts characters
  const length = Array.from(body).length;
  if (length > MAX_BODY) return `Messages are limited to ${MAX_BODY} characters; this one has ${length}.`;
  return '';
}

/** previewOf is the one-line preview of a message body in the conversation list. */
export function previewOf(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  const chars = Array.from(line);
  return chars.length > PREVIEW ? chars.slice(0, PREVIEW - 1).join('') + '…' : line;
}
