import { describe, expect, it } from 'vitest';
import { ipAllowed, parseAllowlist, parseIp } from './ipallow';

describe('parseIp', () => {
  it.each([
    ['127.0.0.1', [0x7f00, 0x0001]],
    ['::1', [0, 0, 0, 0, 0, 0, 0, 1]],
    ['2001:db8::8:800:200c:417a', [0x2001, 0xdb8, 0, 0, 8, 0x800, 0x200c, 0x417a]],
    ['::ffff:10.1.2.3', [0x0a01, 0x0203]],
    ['[fe80::1]', [0xfe80, 0, 0, 0, 0, 0, 0, 1]],
  ])('%s', (text, groups) => expect(parseIp(text)).toEqual(groups));

  it.each(['256.0.0.1', '1.2.3', '1::2::3', 'host.example', '1:2:3:4:5:6:7:8:9', ''])('refuses %s', (text) => expect(parseIp(text)).toBeNull());
});

describe('ipAllowed', () => {
  const list = '203.0.113.0/24, 198.51.100.7\n2001:db8::/32';
  it.each([
    ['203.0.113.200', true],
    ['203.0.114.1', false],
    ['198.51.100.7', true],
    ['198.51.100.8', false],
    ['2001:db8:1::5', true],
    ['2001:db9::5', false],
    ['::ffff:198.51.100.7', true],
  ])('%s → %s', (ip, ok) => expect(ipAllowed(list, ip)).toBe(ok));

  it('allows everyone when the list is empty', () => expect(ipAllowed('  ', '192.0.2.1')).toBe(true));
  it('matches odd prefix lengths', () => {
    expect(ipAllowed('10.0.0.0/9', '10.127.255.255')).toBe(true);
    expect(ipAllowed('10.0.0.0/9', '10.128.0.0')).toBe(false);
    expect(ipAllowed('0.0.0.0/0', '192.0.2.1')).toBe(true);
  });
  it('names the entries it cannot read', () => {
    expect(parseAllowlist('10.0.0.0/33, office, 10.0.0.1').errors).toEqual([
      '"10.0.0.0/33" is not an IP address or a CIDR range (such as 203.0.113.0/24).',
      '"office" is not an IP address or a CIDR range (such as 203.0.113.0/24).',
    ]);
  });
});
