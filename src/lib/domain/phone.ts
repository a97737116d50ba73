// Phone numbers: parse what people and SMSCs write into E.164, and format
// E.164 for people. One implementation for the hooks, the bridge and the UI,
// on libphonenumber-js's compact ("min") metadata.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';

export type NumberCheck = { ok: true; e164: string } | { ok: false; error: string };

/**
 * checkPhone normalises a number typed by a person ("(555) 123-4567",
 * "+44 20 7946 0958", "00 44 …") to E.164 using the default country for
 * national forms, or says in words why it is not a number we can text.
 */
export function checkPhone(input: string, defaultCountry: string): NumberCheck {
  const raw = input.trim();
  if (!raw) return { ok: false, error: 'Enter a phone number.' };
  if (/[^\d\s()+\-.\/]/.test(raw.replace(/^00/, ''))) {
    return { ok: false, error: 'A phone number has only digits, spaces and + ( ) - .' };
  }
  const international = raw.replace(/^00/, '+');
  const parsed = parsePhoneNumberFromString(international, defaultCountry as CountryCode);
  if (!parsed || !parsed.isPossible()) return { ok: false, error: `${raw} is not a complete phone number.` };
  if (!parsed.isValid()) return { ok: false, error: `${raw} is not a valid number in ${parsed.country ?? 'any country'}.` };
  return { ok: true, e164: parsed.number };
}

/**
 * normaliseAddress turns an SMPP source or destination address into E.164 when
 * it can: international TON (1) or a leading "+"/"00" is read as international,
 * other digit strings with the default country. Alphanumeric senders ("BANK")
 * are returned unchanged.
 */
export function normaliseAddress(addr: string, defaultCountry: string, ton = -1): string {
  const raw = addr.trim();
  if (!/^\+?\d+$/.test(raw)) return raw;
  if (raw.startsWith('+')) return checkOr(raw, defaultCountry, raw);
  if (raw.startsWith('00')) return checkOr('+' + raw.slice(2), defaultCountry, raw);
  if (ton === 1) return checkOr('+' + raw, defaultCountry, raw);
  const national = checkPhone(raw, defaultCountry);
  if (national.ok) return national.e164;
  // many SMSCs send international numbers without "+" and with TON unknown
  return checkOr('+' + raw, defaultCountry, raw);
}

function checkOr(candidate: string, country: string, fallback: string): string {
  const r = checkPhone(candidate, country);
  return r.ok ? r.e164 : fallback;
}

/** formatPhone renders E.164 for people: national form for the default country, international otherwise. */
export function formatPhone(e164: string, defaultCountry: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return e164;
  return parsed.country === defaultCountry ? parsed.formatNational() : parsed.formatInternational();
}

/**
 * canReceiveSms reports whether an address can be texted back: a phone
 * number or a short code (digits). Alphanumeric sender IDs ("ACMEBANK")
 * are one-way: carriers deliver from them, never to them.
 */
export function canReceiveSms(address: string): boolean {
  return /^\+?[0-9]{2,15}$/.test(address);
}

/** noReplyReason says why an address cannot be texted back. */
export function noReplyReason(address: string): string {
  return `${address} is a sender name, not a phone number: it cannot receive texts.`;
}
