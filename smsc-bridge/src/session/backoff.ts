// Exponential backoff with jitter and a cap, shared by reconnects and
// delivery retries.

/** BackoffPolicy describes a backoff curve. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** factor multiplies the delay per failure; 2 unless set. */
  factor?: number;
  /** jitter is the fraction of the delay that is random: 0.5 gives delays in [d/2, d]. */
  jitter?: number;
}

/**
 * backoffDelay returns the wait after the n-th consecutive failure (n ≥ 1):
 * base · factor^(n−1), capped at max, minus a random share of up to jitter
 * of it so that many clients that failed together do not return together.
 */
export function backoffDelay(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(failures));
  const factor = policy.factor ?? 2;
  const raw = Math.min(policy.maxMs, policy.baseMs * Math.pow(factor, Math.min(n - 1, 60)));
  const jitter = Math.min(1, Math.max(0, policy.jitter ?? 0.5));
  return Math.round(raw * (1 - jitter * random()));
}
