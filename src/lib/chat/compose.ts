// What the composer checks before sending (the shared rules of
// src/lib/domain/messages.ts) and the idempotency key of a send.
export { MAX_BODY, checkBody, previewOf } from '../domain/messages';

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
