// The submit rate of one link: a token bucket for max_per_second, and the
// reaction to ESME_RTHROTTLED, AIMD as TCP does it: pause at least a second
// and halve the rate (multiplicative decrease, at most once per pause, never
// below a tenth of the ceiling), then add a tenth of the ceiling (at least
// 10/s) every second without throttling (additive increase) until the
// configured rate is back. A link without a limit takes the rate it reached
// as its ceiling, keeps probing above it, and drops the limit after 30 s
// without throttling. docs/bridge.md ("Throttling") has the curves.

/** RateOptions tune the throttling reaction. */
export interface RateOptions {
  /** pauseMs is the pause after a throttle answer (at least 1000). */
  pauseMs?: number;
  /** stepMs is the additive increase period. */
  stepMs?: number;
  /** increase is the step, as a fraction of the ceiling (at least 1/s). */
  increase?: number;
  /** minStep is the smallest additive step, per second. */
  minStep?: number;
  /** floor is the lowest rate throttling can bring, as a fraction of the ceiling (at least 1/s). */
  floor?: number;
  /** liftMs: a link without a limit drops the one throttling set after this long without throttling. */
  liftMs?: number;
  /** settleMs: throttle answers this long after a pause ended still answer submits sent before the decrease. */
  settleMs?: number;
  now?: () => number;
}

/**
 * RateLimiter hands out submit permits at no more than the configured rate
 * (0: no limit), in arrival order. After throttled() it holds every permit
 * for the pause, then runs at half the rate that was throttled (the
 * configured one, or the rate measured over the last second when there is
 * no limit; that measured rate is then the ceiling), and adds
 * increase × ceiling every stepMs without a throttle until the ceiling is
 * reached and the configured rate (or no limit) is back. Throttle answers
 * during the pause and settleMs after it count as the same event.
 */
export class RateLimiter {
  private configured: number;
  /** current is the rate in force; 0 means unlimited. */
  private current: number;
  private ceiling = 0;
  private tokens: number;
  private lastRefill: number;
  private pausedUntil = 0;
  private lastThrottle: number | null = null;
  private lastStep = 0;
  private waiters: { n: number; resolve: () => void }[] = [];
  private timer?: NodeJS.Timeout;
  private windowStart: number;
  private windowCount = 0;
  private lastWindowCount = 0;
  private readonly pauseMs: number;
  private readonly stepMs: number;
  private readonly increase: number;
  private readonly minStep: number;
  private readonly liftMs: number;
  private readonly floorFraction: number;
  private readonly settleMs: number;
  private readonly now: () => number;

  constructor(perSecond: number, opts: RateOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.pauseMs = Math.max(1000, opts.pauseMs ?? 1000);
    this.stepMs = opts.stepMs ?? 1000;
    this.increase = opts.increase ?? 0.1;
    this.minStep = opts.minStep ?? 10;
    this.liftMs = opts.liftMs ?? 30_000;
    this.floorFraction = opts.floor ?? 0.1;
    this.settleMs = opts.settleMs ?? 500;
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

  /** waiting counts the takers waiting for permits. */
  get waiting(): number {
    return this.waiters.length;
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
      this.lastThrottle = null;
      this.ceiling = 0;
    } else {
      this.ceiling = this.configured;
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
    // answers to the submits of one round are one event: decrease once per pause
    if (this.lastThrottle !== null && now < this.pausedUntil + this.settleMs) return;
    const base = this.current > 0 ? this.current : Math.max(this.lastWindowCount, this.windowCount, 2);
    if (this.configured > 0) this.ceiling = this.configured;
    else if (this.ceiling === 0) this.ceiling = base;
    // a modem-speed link (under 1/s, e.g. 6 per minute) halves in fractions, never up to 1/s
    const slow = this.ceiling < 1;
    const floor = slow ? this.ceiling * this.floorFraction : Math.max(1, Math.ceil(this.ceiling * this.floorFraction));
    this.current = Math.max(floor, slow ? base / 2 : Math.floor(base / 2));
    this.tokens = 0;
    this.pausedUntil = now + this.pauseMs;
    this.lastThrottle = now;
    this.lastStep = this.pausedUntil;
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

  // additive increase: one step per stepMs since the pause ended, up to the ceiling
  private recover(now: number): void {
    if (this.lastThrottle === null || this.current === 0 || now < this.pausedUntil) return;
    const steps = Math.floor((now - this.lastStep) / this.stepMs);
    if (steps <= 0) return;
    this.lastStep += steps * this.stepMs;
    const step = this.ceiling < 1 ? this.ceiling * this.increase : Math.max(this.minStep, Math.round(this.ceiling * this.increase));
    this.current += steps * step;
    if (this.configured > 0 && this.current >= this.configured) {
      this.current = this.configured;
      this.lastThrottle = null;
      this.ceiling = 0;
    } else if (this.configured === 0 && now - this.lastThrottle >= this.liftMs) {
      this.current = 0;
      this.lastThrottle = null;
      this.ceiling = 0;
    } else if (this.configured === 0 && this.current >= this.ceiling) {
      // no limit configured: probe above the rate that was throttled
      this.ceiling = this.current;
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
