import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from './signature';

// the expected MAC comes from openssl, not from our code:
// printf '1764547200.{"event":"sms.inbound"}' | openssl dgst -sha256 -hmac whsec_test
const BODY = '{"event":"sms.inbound"}';
const MAC = '2009cf59b1258b9a0d483bb37a77b492de019153a10dd07ca704c89b5e38cbae';

describe('webhook signatures', () => {
  it('is HMAC-SHA256 over "<timestamp>.<body>"', () => {
    expect(signWebhook('whsec_test', 1764547200, BODY)).toBe(`t=1764547200,v1=${MAC}`);
  });

  it.each([
    ['the right secret and body, in time', 'whsec_test', BODY, 1764547200 + 299, true],
    ['another secret', 'whsec_other', BODY, 1764547200, false],
    ['a changed body', 'whsec_test', BODY.replace('inbound', 'delivery'), 1764547200, false],
    ['a replay after the tolerance', 'whsec_test', BODY, 1764547200 + 301, false],
  ])('verifies %s → %s', (_, secret, body, now, ok) => {
    expect(verifyWebhook(secret, `t=1764547200,v1=${MAC}`, body, 300, now)).toBe(ok);
  });

  it('refuses a header it cannot read', () => {
    for (const header of ['', 'v1=' + MAC, 't=abc,v1=' + MAC, 't=1764547200,v1=zz']) expect(verifyWebhook('whsec_test', header, BODY, 300, 1764547200)).toBe(false);
  });
});
