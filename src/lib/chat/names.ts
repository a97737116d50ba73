// Names for phone numbers, the pure parts: what a number is shown as (your
// contact, the shared phonebook, caller ID marked as the network's, else the
// formatted number) and system lines written with a number, shown with its
// name. No SDK, no runes.
import type { ContactRecord, FoundName, MessageRecord } from '../api/types';
import { formatPhone } from '../domain/phone';

/** CNAM_MARK follows a name that comes from caller-name lookup: the network's, not ours. */
export const CNAM_MARK = ' (caller ID)';

/** showName is what a number is shown as: its name (caller ID marked) or, without one, the formatted number. */
export function showName(e164: string, found: FoundName | null | undefined, country: string): string {
  if (!found?.name) return e164.startsWith('+') ? formatPhone(e164, country) : e164;
  return found.source === 'cnam' ? found.name + CNAM_MARK : found.name;
}

/**
 * namesFromContact is what a contact event changes: for each of its numbers,
 * the name it now gives (null when the contact no longer names it). `owner`
 * says whether it is yours (personal) or shared.
 */
export function namesFromContact(contact: ContactRecord, deleted: boolean): { e164: string; found: FoundName | null }[] {
  const source = contact.owner ? 'personal' : 'shared';
  return (contact.numbers ?? []).map((n) => ({ e164: n.e164, found: deleted ? null : { name: contact.name, source, contact: contact.id } }));
}

/** better says whether a name from `a` outranks one from `b`: personal, then shared, then caller ID. */
export function better(a: FoundName, b: FoundName | null | undefined): boolean {
  const rank = { personal: 0, shared: 1, cnam: 2 } as const;
  return !b || rank[a.source] <= rank[b.source];
}

/**
 * systemText is a system line as the reader sees it: the server writes a
 * phone formatted ("Alice added (201) 555-0150"); it is shown by its name.
 */
export function systemText(m: Pick<MessageRecord, 'body' | 'event'>, country: string, nameOf: (e164: string) => string): string {
  const phone = (m.event as { phone?: unknown } | null)?.phone;
  if (typeof phone !== 'string' || !phone) return m.body;
  const shown = formatPhone(phone, country);
  const name = nameOf(phone);
  return name && name !== shown ? m.body.split(shown).join(name) : m.body;
}
