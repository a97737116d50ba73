// What the composer checks before sending, and the idempotency key of a send.
// checkBody and previewOf mirror pb_hooks/lib/messages.ts (the server has the
// last word; these only spare a round trip and keep the wording the same).

/** MAX_BODY is the longest text a message may carry, in characters (code points). */
export const MAX_BODY = 4000;
const PREVIEW = 200;

/** checkBody returns why a text cannot be sent, or '' when it can. */
export function checkBody(body: string): string {
  if (body.trim() === '') return 'Write something before sending.';
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

/** newClientKey makes a fresh random key for one send. It uses getRandomValues,
 * not randomUUID, because the appliance is often opened over plain http on
 * the office network, where randomUUID does not exist. */
export function newClientKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Throttle lets an action through at most once per interval (the typing signal). */
export class Throttle {
  #last = -Infinity;
  #interval: number;

  constructor(interval: number) {
    this.#interval = interval;
  }

  /** ready reports whether the action may run now, and if so counts it as run. */
  ready(now: number): boolean {
    if (now - this.#last < this.#interval) return false;
    this.#last = now;
    return true;
  }

  /** reset lets the next call through (after a send, the next keystroke signals again). */
  reset(): void {
    this.#last = -Infinity;
  }
}
