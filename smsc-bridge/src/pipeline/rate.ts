// The submit rate of one link: a token bucket for max_per_second, and the
// reaction to ESME_RTHROTTLED: pause at least a second, halve the rate,
// then creep back up while the SMSC stays quiet.

/** RateOptions tune the throttling reaction. */
export interface RateOptions {
  /** pauseMs is the pause after a throttle answer (at least 1000). */
  pauseMs?: number;
  /** recoverMs is how long without throttling before the rate rises again, and the step between rises. */
  recoverMs?: number;
  now?: () => number;
}

/**
 * RateLimiter hands out submit permits at no more than the configured rate
 * (0: no limit), in arrival order. After throttled() it holds every permit
 * for the pause, then runs at half the rate that was throttled (the
 * configured one, or the rate measured over the last second when there is
 * no limit), rising by a quarter every recoverMs without a throttle until
 * the configured rate (or no limit) is back.
 */
export class RateLimiter {
  private configured: number;
  /** current is the rate in force; 0 means unlimited. */
  private current: number;
  private ceilingAfterThrottle = 0;
  private tokens: number;
  private lastRefill: number;
  private pausedUntil = 0;
  private lastThrottle: number | null = null;
  private lastRaise = 0;
  private waiters: { n: number; resolve: () => void }[] = [];
  private timer?: NodeJS.Timeout;
  private windowStart: number;
  private windowCount = 0;
  private lastWindowCount = 0;
  private readonly pauseMs: number;
  private readonly recoverMs: number;
  private readonly now: () => number;

  constructor(perSecond: number, opts: RateOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.pauseMs = Math.max(1000, opts.pauseMs ?? 1000);
    this.recoverMs = opts.recoverMs ?? 5000;
    this.configured = Math.max(0, perSecond);
    this.current = this.configured;
    this.tokens = Math.max(1, this.current);
    this.lastRefill = this.now();
    this.windowStart = this.lastRefill;
  }

  /** rate is the rate in force now (0: unlimited). */
  get rate(): number {
    return this.current;
  }

  /** paused reports whether a throttle pause is running. */
  get paused(): boolean {
    return this.now() < this.pausedUntil;
  }

  /** setRate changes the configured rate (max_per_second was edited). */
  setRate(perSecond: number): void {
    this.configured = Math.max(0, perSecond);
    if (this.lastThrottle === null || this.configured === 0 || this.current === 0 || this.current > this.configured) {
      this.current = this.configured;
    }
    this.tokens = Math.min(this.tokens, Math.max(1, this.current));
    this.service();
  }

  /** take resolves when n permits (one per submit_sm) may be used. */
  take(n = 1): Promise<void> {
    if (this.waiters.length === 0 && this.tryTake(n)) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ n, resolve });
      this.service();
    });
  }

  /** throttled records an ESME_RTHROTTLED answer. */
  throttled(): void {
    const now = this.now();
    this.measure(now);
    // many answers to one burst are one event: pause once, halve once
    if (now < this.pausedUntil) return;
    const base = this.current > 0 ? this.current : Math.max(this.lastWindowCount, this.windowCount, 2);
    if (this.configured === 0 && this.ceilingAfterThrottle === 0) this.ceilingAfterThrottle = base * 2;
    this.current = Math.max(1, Math.floor(base / 2));
    this.tokens = 0;
    this.pausedUntil = now + this.pauseMs;
    this.lastThrottle = now;
    this.lastRaise = now;
    this.service();
  }

  /** close releases every waiter (the link is going away). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  private measure(now: number): void {
    if (now - this.windowStart >= 1000) {
      this.lastWindowCount = now - this.windowStart < 2000 ? this.windowCount : 0;
      this.windowStart = now;
      this.windowCount = 0;
    }
  }

  private recover(now: number): void {
    if (this.lastThrottle === null || this.current === 0) return;
    if (now - this.lastThrottle < this.recoverMs || now - this.lastRaise < this.recoverMs) return;
    this.lastRaise = now;
    const next = Math.ceil(this.current * 1.25);
    const ceiling = this.configured > 0 ? this.configured : this.ceilingAfterThrottle;
    if (next >= ceiling) {
      this.current = this.configured;
      this.lastThrottle = null;
      this.ceilingAfterThrottle = 0;
    } else {
      this.current = next;
    }
  }

  private tryTake(n: number): boolean {
    const now = this.now();
    this.measure(now);
    if (now < this.pausedUntil) return false;
    this.recover(now);
    if (this.current === 0) {
      this.windowCount += n;
      return true;
    }
    const elapsed = (now - this.lastRefill) / 1000;
    this.lastRefill = now;
    // a burst of up to one second's worth, and always room for one multipart message
    const capacity = Math.max(this.current, n);
    this.tokens = Math.min(capacity, this.tokens + elapsed * this.current);
    if (this.tokens < n) return false;
    this.tokens -= n;
    this.windowCount += n;
    return true;
  }

  private service(): void {
    while (this.waiters.length > 0 && this.tryTake(this.waiters[0].n)) this.waiters.shift()!.resolve();
    if (this.waiters.length === 0 || this.timer) return;
    const now = this.now();
    let wait: number;
    if (now < this.pausedUntil) wait = this.pausedUntil - now;
    else if (this.current === 0) wait = 1;
    else wait = Math.max(1, Math.ceil(((this.waiters[0].n - this.tokens) / this.current) * 1000));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.service();
    }, wait);
  }
}
