// Pure helpers of the admin pages for business numbers: reading a typed
// number, who may text from a number, and each user's default number.
import { checkPhone, formatPhone } from '../domain/phone';
import type { NumberInput, NumberRecord, UserRecord } from '../api/types';

/** UserNumbers is the part of a user these helpers read. */
export type UserNumbers = Pick<UserRecord, 'id' | 'sms_numbers' | 'default_number'>;

/** NumberFormValues is what the number form saves: the number and who may text from it. */
export interface NumberFormValues {
  number: NumberInput;
  /** ids of the users who may text from it */
  users: string[];
}

/** UserNumbersChange is one update of a user's `sms_numbers` and `default_number`. */
export interface UserNumbersChange {
  /** the user's id */
  user: string;
  /** a number id to add to the user's list */
  add?: string;
  /** a number id to take out of the user's list */
  remove?: string;
  /** the whole new list, instead of add / remove */
  set?: string[];
  /** the new default number ('' for none); absent keeps it */
  default_number?: string;
}

/** NumberPreview is what the number field shows while an admin types. */
export type NumberPreview =
  | { state: 'empty' }
  | { state: 'ok'; e164: string; international: string }
  /** early: more typing cannot fix it, so it is shown at once */
  | { state: 'bad'; error: string; early: boolean };

/** previewNumber reads a number as typed, with the default country for national forms. */
export function previewNumber(input: string, country: string): NumberPreview {
  if (!input.trim()) return { state: 'empty' };
  const check = checkPhone(input, country);
  if (check.ok) return { state: 'ok', e164: check.e164, international: formatPhone(check.e164, '') };
  const digits = input.replace(/\D/g, '').length;
  const early = /[^\d\s()+\-.\/]/.test(input.trim().replace(/^00/, '')) || digits > 15;
  return { state: 'bad', error: check.error, early };
}

/** planNumberUsers lists the user updates that make exactly `allowed` the users
 * who may text from the number. A user who gains it and has no default gets it
 * as default; a user who loses their default falls back to their first
 * remaining number, or none. */
export function planNumberUsers(
  users: readonly UserNumbers[],
  numberId: string,
  allowed: Iterable<string>
): UserNumbersChange[] {
  const want = new Set(allowed);
  const changes: UserNumbersChange[] = [];
  for (const user of users) {
    const list = user.sms_numbers ?? [];
    const has = list.includes(numberId);
    if (want.has(user.id) && !has) {
      const change: UserNumbersChange = { user: user.id, add: numberId };
      if (!user.default_number || !list.includes(user.default_number)) change.default_number = numberId;
      changes.push(change);
    } else if (!want.has(user.id) && has) {
      const change: UserNumbersChange = { user: user.id, remove: numberId };
      if (user.default_number === numberId) change.default_number = list.find((n) => n !== numberId) ?? '';
      changes.push(change);
    }
  }
  return changes;
}

/** numbersBody is the `users` update for a change; add and remove use
 * PocketBase's `field+` / `field-` modifiers so that concurrent edits of other
 * numbers in the same list are kept. */
export function numbersBody(change: UserNumbersChange): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (change.set) body.sms_numbers = change.set;
  if (change.add) body['sms_numbers+'] = change.add;
  if (change.remove) body['sms_numbers-'] = change.remove;
  if (change.default_number !== undefined) body.default_number = change.default_number;
  return body;
}

/** settleDefault keeps `preferred` as the default while it is selected, else takes the first selected number. */
export function settleDefault(selected: readonly string[], preferred: string): string {
  return selected.includes(preferred) ? preferred : (selected[0] ?? '');
}

/** usersOfNumber returns the ids of the users who may text from the number. */
export function usersOfNumber(users: readonly UserNumbers[], numberId: string): string[] {
  return users.filter((u) => (u.sms_numbers ?? []).includes(numberId)).map((u) => u.id);
}

/** sortNumbers orders numbers by label, then by number; unlabelled ones last. */
export function sortNumbers<T extends Pick<NumberRecord, 'label' | 'e164'>>(numbers: readonly T[]): T[] {
  return [...numbers].sort(
    (a, b) =>
      Number(!a.label) - Number(!b.label) ||
      a.label.localeCompare(b.label, undefined, { sensitivity: 'base' }) ||
      a.e164.localeCompare(b.e164)
  );
}

/** numberChoices lists the numbers a user may be given: the SMS-enabled ones
 * plus any the user already has (so saving never drops one silently), sorted. */
export function numberChoices<T extends Pick<NumberRecord, 'id' | 'label' | 'e164' | 'sms_enabled'>>(
  numbers: readonly T[],
  current: readonly string[]
): T[] {
  return sortNumbers(numbers.filter((n) => n.sms_enabled || current.includes(n.id)));
}

/** numberName is how a number reads in lists: "Label · (201) 555-0100", or just the number. */
export function numberName(number: Pick<NumberRecord, 'label' | 'e164'>, country: string): string {
  const formatted = formatPhone(number.e164, country);
  return number.label ? `${number.label} · ${formatted}` : formatted;
}
