// Turns SDK errors into what a form shows: one message for the form and one
// per field, in words a user can act on.
import { ClientResponseError } from 'pocketbase';

/** ReadableError is an API failure prepared for display. */
export interface ReadableError {
  /** HTTP status; 0 when the server could not be reached. */
  status: number;
  /** message for the form as a whole; empty when the field messages say it all */
  message: string;
  /** messages keyed by form field */
  fields: Record<string, string>;
}

/** ReadErrorOptions tunes readError for one form. */
export interface ReadErrorOptions {
  /** fields the form shows; errors for other fields go into the form message */
  fields?: readonly string[];
  /** rename server fields to form fields (e.g. passwordConfirm → password) */
  aliases?: Record<string, string>;
  /** fixed messages per status, used instead of the server's */
  byStatus?: Record<number, string>;
}

export const OFFLINE_MESSAGE = 'Cannot reach the server. Check the connection and try again.';
const GENERIC_MESSAGE = 'Something went wrong. Try again.';

// PocketBase's wording for some validation codes, said for people
const FIELD_MESSAGES: Record<string, string> = {
  validation_not_unique: 'Already used by another account.'
};

/** readError reads an error thrown by the SDK (or anything else) for display. */
export function readError(err: unknown, options: ReadErrorOptions = {}): ReadableError {
  if (!(err instanceof ClientResponseError)) {
    return { status: -1, message: GENERIC_MESSAGE, fields: {} };
  }
  if (err.status === 0) {
    return { status: 0, message: OFFLINE_MESSAGE, fields: {} };
  }

  const fields: Record<string, string> = {};
  const unshown: string[] = [];
  const data = (err.response?.data ?? {}) as Record<string, { code?: string; message?: string } | undefined>;
  for (const [key, value] of Object.entries(data)) {
    if (!value?.message) continue;
    const text = FIELD_MESSAGES[value.code ?? ''] ?? value.message;
    const field = options.aliases?.[key] ?? key;
    if (!options.fields || options.fields.includes(field)) {
      fields[field] ??= text;
    } else {
      unshown.push(`${key}: ${text}`);
    }
  }

  let message = options.byStatus?.[err.status] ?? '';
  if (!message) {
    if (unshown.length) message = unshown.join(' ');
    else if (Object.keys(fields).length) message = 'Check the fields marked below.';
    else message = (err.response?.message as string | undefined) || GENERIC_MESSAGE;
  }
  return { status: err.status, message, fields };
}

/** isRefusal tells a request the server answered and refused (4xx) from one that never got an answer. */
export function isRefusal(err: unknown): boolean {
  return err instanceof ClientResponseError && err.status >= 400 && err.status < 500;
}
