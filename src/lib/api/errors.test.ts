import { describe, expect, it } from 'vitest';
import { ClientResponseError } from 'pocketbase';
import { OFFLINE_MESSAGE, isRefusal, readError } from './errors';

const apiError = (status: number, message: string, data: Record<string, unknown> = {}) =>
  new ClientResponseError({ status, response: { status, message, data } });

describe('readError', () => {
  it('puts field messages next to the fields the form shows', () => {
    const err = apiError(400, 'Failed to create record.', {
      extension: { code: 'validation_not_unique', message: 'Value must be unique' },
      email: { code: 'validation_is_email', message: 'Must be a valid email address.' },
    });
    expect(readError(err, { fields: ['extension', 'email'] })).toEqual({
      status: 400,
      message: 'Check the fields marked below.',
      fields: { extension: 'Already used by another account.', email: 'Must be a valid email address.' },
    });
  });

  it('says errors of fields the form does not show in the form message', () => {
    const err = apiError(400, 'Failed to update record.', { password: { code: 'x', message: 'Cannot be blank.' } });
    expect(readError(err, { fields: ['name'] }).message).toBe('password: Cannot be blank.');
  });

  it('maps a server field to a form field', () => {
    const err = apiError(400, 'x', { passwordConfirm: { code: 'x', message: "Values don't match." } });
    expect(readError(err, { fields: ['password'], aliases: { passwordConfirm: 'password' } }).fields).toEqual({
      password: "Values don't match.",
    });
  });

  it("shows the server's message when no field is named", () => {
    const err = apiError(400, 'At least one active administrator must remain.');
    expect(readError(err).message).toBe('At least one active administrator must remain.');
  });

  it('prefers a fixed message for the status', () => {
    const err = apiError(400, 'Failed to authenticate.');
    expect(readError(err, { byStatus: { 400: 'Wrong email/extension or password.' } }).message).toBe(
      'Wrong email/extension or password.',
    );
  });

  it('says when the server cannot be reached', () => {
    expect(readError(new ClientResponseError({ status: 0 })).message).toBe(OFFLINE_MESSAGE);
  });
});

describe('isRefusal', () => {
  it('is a 4xx answer, not a lost request or a server fault', () => {
    expect(isRefusal(new ClientResponseError({ status: 400, response: {} }))).toBe(true);
    expect(isRefusal(new ClientResponseError({ status: 403, response: {} }))).toBe(true);
    expect(isRefusal(new ClientResponseError({ status: 0, response: {} }))).toBe(false);
    expect(isRefusal(new ClientResponseError({ status: 500, response: {} }))).toBe(false);
    expect(isRefusal(new Error('x'))).toBe(false);
  });
});
