// Dedupe keys for inbound texts. PocketBase stores a text once per
// dedupe_key, so the key must be the same when the SMSC sends a text again
// (it never got our deliver_sm_resp) and different when a person really
// sends the same words twice. deliver_sm carries no id of its own, so the
// key is a hash of link, addresses, concatenation reference and text, plus
// a suffix chosen as docs/bridge.md ("Dedupe keys") explains.

import { createHash } from 'node:crypto';

/** contentHash hashes what identifies a text: link, from, to, concat ref/total and the text. */
export function contentHash(parts: { link: string; from: string; to: string; concat: string; body: string }): string {
  return createHash('sha256')
    .update([parts.link, parts.from, parts.to, parts.concat, parts.body].join('\n'))
    .digest('hex')
    .slice(0, 32);
}

/** DedupeOptions tune how resends are told from repeats. */
export interface DedupeOptions {
  /** windowMs is how long a stored text is remembered, and the width of the time bucket used otherwise. */
  windowMs?: number;
  /** quickAnswerMs: an answer given within this on a session that stayed up was surely received. */
  quickAnswerMs?: number;
  /** maxEntries bounds the memo; the oldest go first (a resend of one of them meets the time bucket instead). */
  maxEntries?: number;
  now?: () => number;
}

interface Seen {
  key: string;
  sessionId: number;
  answerMs: number;
  at: number;
}

/**
 * DedupeMemo chooses dedupe keys. When the same content was stored within
 * windowMs: a copy arriving on another session, or after we were slow to
 * answer (the SMSC may have timed out waiting), is a resend and reuses the
 * stored key; a copy on the same session after a quick answer is a new
 * text and gets a unique key. Without memory of it (first sight, or after
 * a restart) the key ends in the current time bucket, so a resend after a
 * crash still meets the copy stored before it unless a bucket boundary
 * falls between them (then it is stored twice, which is visible, rather
 * than dropped).
 */
export class DedupeMemo {
  private seen = new Map<string, Seen>();
  private readonly windowMs: number;
  private readonly quickAnswerMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private uniq = 0;

  constructor(opts: DedupeOptions = {}) {
    this.windowMs = opts.windowMs ?? 10 * 60_000;
    this.quickAnswerMs = opts.quickAnswerMs ?? 5_000;
    this.maxEntries = opts.maxEntries ?? 50_000;
    this.now = opts.now ?? Date.now;
  }

  /** keyFor returns the dedupe key for content hash h arriving on sessionId. */
  keyFor(h: string, sessionId: number): string {
    const now = this.now();
    this.expire(now);
    const s = this.seen.get(h);
    if (!s) return `${h}:${Math.floor(now / this.windowMs)}`;
    if (s.sessionId === sessionId && s.answerMs <= this.quickAnswerMs) return `${h}:r${now.toString(36)}${(this.uniq++ % 1296).toString(36)}`;
    return s.key;
  }

  /** stored records that the text with hash h was stored under key, answered answerMs after it arrived. */
  stored(h: string, key: string, sessionId: number, answerMs: number): void {
    this.seen.delete(h);
    this.seen.set(h, { key, sessionId, answerMs, at: this.now() });
    for (const old of this.seen.keys()) {
      if (this.seen.size <= this.maxEntries) break;
      this.seen.delete(old);
    }
  }

  /** size is how many texts are remembered. */
  get size(): number {
    return this.seen.size;
  }

  private expire(now: number): void {
    for (const [h, s] of this.seen) {
      if (now - s.at <= this.windowMs) break;
      this.seen.delete(h);
    }
  }
}
