// Webhook signatures: HMAC-SHA256 over "<unix seconds>.<body>" with the
// integration's secret, sent as `X-Webhook-Signature: t=<unix>,v1=<hex>`.
// The timestamp is signed too, so a captured call cannot be replayed later
// than the receiver's tolerance. docs/integrations.md has a receiver's
// verification example; verifyWebhook is the same check, for our tests.

import { createHmac, timingSafeEqual } from 'node:crypto';

/** SIGNATURE_HEADER carries `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const SIGNATURE_HEADER = 'X-Webhook-Signature';

/** signWebhook returns the signature header's value for a body sent at `unixSeconds`. */
export function signWebhook(secret: string, unixSeconds: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** verifyWebhook checks a signature header against the raw body: right secret, untouched body, not older than toleranceS. */
export function verifyWebhook(secret: string, header: string, body: string, toleranceS = 300, nowS = Math.floor(Date.now() / 1000)): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(nowS - t) > toleranceS) return false;
  const expected = Buffer.from(signWebhook(secret, t, body).split('v1=')[1], 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
