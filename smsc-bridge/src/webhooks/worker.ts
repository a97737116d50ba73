// The webhook worker: sends the `webhook_calls` rows PocketBase queues (a
// text arrived on an integration's number, a text it sent changed state),
// signed, with a timeout, and writes each outcome back; a call that is not
// answered with 2xx is retried with exponential backoff up to maxAttempts,
// then marked failed. It runs in the bridge process because Node's HTTP
// calls do not block anything else, while PocketBase's $http.send would hold
// one of its hook VMs for the whole call (docs/integrations.md, "Where the
// worker runs"). Rows stay in PocketBase, so nothing is lost when either
// process restarts: a call in flight at a crash is sent again (at least once;
// receivers dedupe by X-Webhook-Id).
//
// An `sms.keyword` call (a phone texted a keyword answered by a webhook) has
// a customer waiting: a short timeout and one quick retry, then its outcome
// (the receiver's answer, or why there is none) is handed to PocketBase's
// reply route, which texts the phone once per call however often it hears
// of it (docs/integrations.md, "Keyword auto-replies").

import type PocketBase from 'pocketbase';
import type { RecordModel } from 'pocketbase';
import type { Logger } from '../log.js';
import { backoffDelay, type BackoffPolicy } from '../session/backoff.js';
import { SIGNATURE_HEADER, signWebhook } from './signature.js';
import { readKeywordAnswer, type KeywordAnswer } from './keyword-answer.js';

/** WebhookWorkerOptions tune the worker; tests shorten the times. */
export interface WebhookWorkerOptions {
  /** pb is signed in as a services account (it reads integrations' secrets and writes call outcomes). */
  pb: PocketBase;
  log: Logger;
  /** how often due retries are looked for (new calls come by realtime at once); default 5 s */
  sweepMs?: number;
  /** how long a receiver has to answer; default 10 s */
  timeoutMs?: number;
  /** attempts before a call is marked failed; default 10 (about 8.5 hours with the default backoff) */
  maxAttempts?: number;
  /** wait after the n-th failed attempt; default 30 s doubling, at most 1 h */
  backoff?: BackoffPolicy;
  /** calls in flight at once; default 4 */
  concurrency?: number;
  /** how long a keyword call's receiver has to answer (a customer waits); default 5 s */
  keywordTimeoutMs?: number;
  /** attempts of a keyword call before the fallback reply; default 2 */
  keywordMaxAttempts?: number;
  /** wait before a keyword call's next attempt; default 1 s */
  keywordBackoff?: BackoffPolicy;
}

/** KEYWORD_EVENT is the event whose answer becomes a reply. */
const KEYWORD_EVENT = 'sms.keyword';

const SECRET_TTL_MS = 30_000;
/** FINISHED_MEMO_MS: how long a finished call is remembered against stale sweep reads (far longer than a read). */
const FINISHED_MEMO_MS = 60_000;

/** pbDate writes a time the way PocketBase stores dates. */
function pbDate(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ');
}

/** WebhookWorker sends queued webhook calls until stopped. */
export class WebhookWorker {
  private readonly pb: PocketBase;
  private readonly log: Logger;
  private readonly sweepMs: number;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoff: BackoffPolicy;
  private readonly concurrency: number;
  private readonly keywordTimeoutMs: number;
  private readonly keywordMaxAttempts: number;
  private readonly keywordBackoff: BackoffPolicy;
  /** keyword retries are due sooner than the next sweep: each has its own timer */
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Map<string, Promise<void>>();
  /** when each recent call finished: a sweep whose read began before that saw it still pending */
  private readonly finishedAt = new Map<string, number>();
  private readonly secrets = new Map<string, { secret: string; at: number }>();
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private unsubscribe: (() => Promise<void>) | undefined;

  constructor(opts: WebhookWorkerOptions) {
    this.pb = opts.pb;
    this.log = opts.log.child({ component: 'webhooks' });
    this.sweepMs = opts.sweepMs ?? 5000;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.maxAttempts = opts.maxAttempts ?? 10;
    this.backoff = opts.backoff ?? { baseMs: 30_000, maxMs: 3_600_000, jitter: 0.2 };
    this.concurrency = opts.concurrency ?? 4;
    this.keywordTimeoutMs = opts.keywordTimeoutMs ?? 5000;
    this.keywordMaxAttempts = opts.keywordMaxAttempts ?? 2;
    this.keywordBackoff = opts.keywordBackoff ?? { baseMs: 1000, maxMs: 1000, jitter: 0 };
  }

  /** start subscribes to new calls and begins the sweeps (the first at once: calls queued while nobody sent them). */
  async start(): Promise<void> {
    this.unsubscribe = await this.pb.collection('webhook_calls').subscribe('*', (e) => {
      if (e.record.status === 'pending') this.kick();
    });
    this.timer = setInterval(() => this.kick(), this.sweepMs);
    this.kick();
  }

  /** stop ends the sweeps and waits for the calls in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const t of this.retryTimers) clearTimeout(t);
    await this.unsubscribe?.().catch(() => {});
    await this.sweeping;
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** kick runs a sweep now, or once more after the one running. */
  private kick(): void {
    if (this.stopped) return;
    if (this.sweeping) {
      this.again = true;
      return;
    }
    this.sweeping = this.sweep()
      .catch((err) => this.log.warn({ err: (err as Error).message }, 'webhook sweep failed'))
      .finally(() => {
        this.sweeping = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async sweep(): Promise<void> {
    const free = this.concurrency - this.inFlight.size;
    if (free <= 0) return;
    const asked = Date.now();
    for (const [id, at] of this.finishedAt) if (asked - at > FINISHED_MEMO_MS) this.finishedAt.delete(id);
    const due = await this.pb.collection('webhook_calls').getList(1, free + this.inFlight.size, {
      filter: this.pb.filter('status = "pending" && next_attempt_at <= {:now}', { now: pbDate(Date.now()) }),
      sort: 'next_attempt_at',
      skipTotal: true,
    });
    for (const row of due.items) {
      if (this.inFlight.has(row.id) || this.inFlight.size >= this.concurrency || this.stopped) continue;
      // finished (and its outcome written) while this read was on its way: the row is stale, not due
      if ((this.finishedAt.get(row.id) ?? 0) >= asked) continue;
      const call = this.attempt(row).finally(() => {
        this.finishedAt.set(row.id, Date.now());
        this.inFlight.delete(row.id);
        this.kick();
      });
      this.inFlight.set(row.id, call);
    }
  }

  private async secretOf(integrationId: string): Promise<string> {
    const cached = this.secrets.get(integrationId);
    if (cached && Date.now() - cached.at < SECRET_TTL_MS) return cached.secret;
    const r = await this.pb.collection('integrations').getOne(integrationId, { fields: 'webhook_secret' });
    const secret = String(r.webhook_secret ?? '');
    this.secrets.set(integrationId, { secret, at: Date.now() });
    return secret;
  }

  /**
   * handOver gives PocketBase a keyword call's outcome, which it turns into
   * at most one reply; answers '' when handed over (or refused for good, 4xx),
   * else why it must be tried again.
   */
  private async handOver(row: RecordModel, answer: KeywordAnswer | { failed: string }): Promise<string> {
    try {
      const res = await this.pb.send<{ outcome: string; note: string; duplicate: boolean }>(`/api/webhook-calls/${row.id}/keyword-reply`, { method: 'POST', body: answer });
      this.log.info({ call: row.id, ...res }, 'keyword call handed over');
      return '';
    } catch (err) {
      const status = (err as { status?: number }).status ?? 0;
      if (status >= 400 && status < 500) {
        this.log.error({ call: row.id, status, err: (err as Error).message }, 'PocketBase refused the outcome of a keyword call');
        return '';
      }
      return `Cannot hand the answer to PocketBase: ${(err as Error).message}`.slice(0, 400);
    }
  }

  /** attempt makes one call and writes its outcome: done on 2xx, else a retry later or failed. */
  private async attempt(row: RecordModel): Promise<void> {
    const body = JSON.stringify(row.payload ?? {});
    const attempts = Number(row.attempts ?? 0) + 1;
    const keyword = row.event === KEYWORD_EVENT;
    const timeoutMs = keyword ? this.keywordTimeoutMs : this.timeoutMs;
    const maxAttempts = keyword ? this.keywordMaxAttempts : this.maxAttempts;
    let code = 0;
    let error = '';
    let answer: KeywordAnswer | undefined;
    try {
      const secret = await this.secretOf(row.integration);
      const res = await fetch(row.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'messaging-appliance-webhooks/1',
          'X-Webhook-Id': row.id,
          'X-Webhook-Event': row.event,
          [SIGNATURE_HEADER]: signWebhook(secret, Math.floor(Date.now() / 1000), body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      code = res.status;
      // read (and drop) the answer so the connection is reused; keep a little for the log
      const text = await res.text().catch(() => '');
      if (code < 200 || code > 299) error = `HTTP ${code}${text ? `: ${text.slice(0, 200)}` : ''}`;
      else if (keyword) answer = readKeywordAnswer(res.headers.get('content-type'), text);
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      error = e.name === 'TimeoutError' ? `No answer within ${timeoutMs / 1000} s.` : `${e.cause?.code ?? e.name}: ${e.message}`.slice(0, 400);
    }
    // a keyword call's last word (an answer, or the failure that sends the fallback) goes to PocketBase before the call is closed
    let handOff = '';
    if (keyword && (answer || attempts >= maxAttempts)) handOff = await this.handOver(row, answer ?? { failed: error });
    const now = Date.now();
    const patch: Record<string, unknown> = { attempts, last_status_code: code, last_error: error || handOff, last_attempt_at: pbDate(now) };
    const delay = backoffDelay(attempts, keyword ? this.keywordBackoff : this.backoff);
    if (handOff) patch.next_attempt_at = pbDate(now + delay);
    else if (!error) Object.assign(patch, { status: 'done', done_at: pbDate(now) });
    else if (attempts >= maxAttempts) Object.assign(patch, { status: 'failed', done_at: pbDate(now) });
    else patch.next_attempt_at = pbDate(now + delay);
    if (keyword && patch.next_attempt_at && !this.stopped) {
      const t = setTimeout(() => (this.retryTimers.delete(t), this.kick()), delay + 10);
      t.unref();
      this.retryTimers.add(t);
    }
    this.log[error ? 'warn' : 'debug']({ call: row.id, event: row.event, attempts, code, error }, error ? 'webhook call failed' : 'webhook call made');
    await this.pb.collection('webhook_calls').update(row.id, patch).catch((err) => {
      this.log.error({ call: row.id, err: (err as Error).message }, 'cannot store the outcome of a webhook call; it will be made again');
    });
  }
}
