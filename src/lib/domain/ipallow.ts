// IP allowlists of integrations: addresses and CIDR ranges (IPv4 and IPv6),
// one per line or comma separated. Pure: parsed and matched without I/O, so
// the hooks (which run in goja, without BigInt) and the UI share it.

/** Range is one allowlist entry: an address as 16-bit groups (IPv4 as 2 groups) and its prefix length in bits. */
interface Range {
  groups: number[];
  bits: number;
}

/** parseIp reads an IPv4 or IPv6 address into 16-bit groups (2 for IPv4, 8 for IPv6), or null. */
export function parseIp(text: string): number[] | null {
  let s = text.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  // IPv4-mapped IPv6 (::ffff:1.2.3.4) is its IPv4 address
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(s);
  if (mapped) s = mapped[1];
  if (/^\d+\.\d+\.\d+\.\d+$/.test(s)) {
    const b = s.split('.').map(Number);
    if (b.some((x) => x > 255)) return null;
    return [(b[0] << 8) | b[1], (b[2] << 8) | b[3]];
  }
  if (!/^[0-9a-f:]+$/i.test(s) || s.split('::').length > 2) return null;
  const [head, tail] = s.includes('::') ? s.split('::') : [s, null];
  const part = (p: string) => (p ? p.split(':') : []);
  const left = part(head);
  const right = tail === null ? [] : part(tail);
  const missing = 8 - left.length - right.length;
  if (tail === null ? missing !== 0 : missing < 1) return null;
  const all = [...left, ...Array(tail === null ? 0 : missing).fill('0'), ...right];
  if (all.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return null;
  return all.map((g) => parseInt(g, 16));
}

/** parseAllowlist reads an allowlist; errors name each entry that is neither an address nor a CIDR range. */
export function parseAllowlist(text: string): { ranges: Range[]; errors: string[] } {
  const ranges: Range[] = [];
  const errors: string[] = [];
  for (const entry of text.split(/[\s,]+/).filter(Boolean)) {
    const [addr, len, extra] = entry.split('/');
    const groups = extra === undefined ? parseIp(addr) : null;
    const max = groups ? groups.length * 16 : 0;
    const bits = len === undefined ? max : /^\d{1,3}$/.test(len) ? Number(len) : -1;
    if (!groups || bits < 0 || bits > max) errors.push(`"${entry}" is not an IP address or a CIDR range (such as 203.0.113.0/24).`);
    else ranges.push({ groups, bits });
  }
  return { ranges, errors };
}

/** ipAllowed says whether an address is in the allowlist; an empty list allows every address. */
export function ipAllowed(allowlist: string, ip: string): boolean {
  const { ranges } = parseAllowlist(allowlist);
  if (ranges.length === 0) return true;
  const addr = parseIp(ip);
  if (!addr) return false;
  return ranges.some((r) => r.groups.length === addr.length && samePrefix(r.groups, addr, r.bits));
}

function samePrefix(a: number[], b: number[], bits: number): boolean {
  for (let i = 0; bits > 0; i++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if ((a[i] & mask) !== (b[i] & mask)) return false;
  }
  return true;
}
