// Addresses between E.164 in PocketBase and SMPP's TON/NPI + digits.

/** SmppAddress is an address as submit_sm carries it. */
export interface SmppAddress {
  addr: string;
  ton: number;
  npi: number;
}

/**
 * submitAddress turns a number into SMPP form: "+E.164" → international
 * (TON 1, NPI 1) without the '+'; digits only → unknown TON, ISDN plan
 * (0/1); anything with letters → alphanumeric (5/0). A link's override
 * (≥ 0) replaces the detected TON or NPI; the '+' is never sent.
 */
export function submitAddress(value: string, tonOverride = -1, npiOverride = -1): SmppAddress {
  const v = value.trim();
  let out: SmppAddress;
  if (/^\+\d+$/.test(v)) out = { addr: v.slice(1), ton: 1, npi: 1 };
  else if (/^\d+$/.test(v)) out = { addr: v, ton: 0, npi: 1 };
  else out = { addr: v.replace(/^\+/, ''), ton: 5, npi: 0 };
  if (tonOverride >= 0) out.ton = tonOverride;
  if (npiOverride >= 0) out.npi = npiOverride;
  return out;
}

/**
 * inboundAddress turns a deliver_sm address into what PocketBase expects:
 * an international number (TON 1) gets its '+'; everything else goes as
 * the SMSC sent it and PocketBase normalises it with the default country.
 */
export function inboundAddress(addr: string, ton: number): string {
  const a = addr.trim();
  if (ton === 1 && /^\d+$/.test(a)) return '+' + a;
  return a;
}
