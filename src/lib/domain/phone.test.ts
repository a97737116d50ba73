import { describe, expect, it } from 'vitest';
import { canReceiveSms, checkPhone, formatPhone, normaliseAddress } from './phone';

describe('checkPhone', () => {
  it.each([
    ['(201) 555-0123', 'US', '+12015550123'],
    ['201.555.0123', 'US', '+12015550123'],
    ['+44 20 7946 0958', 'US', '+442079460958'],
    ['0044 20 7946 0958', 'US', '+442079460958'],
    ['020 7946 0958', 'GB', '+442079460958'],
  ])('normalises %s (%s) to %s', (input, country, e164) => {
    expect(checkPhone(input, country)).toEqual({ ok: true, e164 });
  });

  it.each([
    ['', 'Enter a phone number.'],
    ['call me', 'A phone number has only digits, spaces and + ( ) - .'],
    ['555', '555 is not a complete phone number.'],
    ['+1 000 000 0000', '+1 000 000 0000 is not a valid number in any country.'],
  ])('refuses %j with a reason', (input, error) => {
    expect(checkPhone(input, 'US')).toEqual({ ok: false, error });
  });
});

describe('normaliseAddress', () => {
  it('reads SMPP addresses with and without "+", by TON, and keeps alphanumeric senders', () => {
    expect(normaliseAddress('12015550123', 'US', 1)).toBe('+12015550123');
    expect(normaliseAddress('2015550123', 'US', 2)).toBe('+12015550123');
    expect(normaliseAddress('442079460958', 'US', 0)).toBe('+442079460958');
    expect(normaliseAddress('+442079460958', 'US')).toBe('+442079460958');
    expect(normaliseAddress('BANK', 'US', 5)).toBe('BANK');
  });
});

describe('formatPhone', () => {
  it('formats home numbers nationally and foreign ones internationally', () => {
    expect(formatPhone('+12015550123', 'US')).toBe('(201) 555-0123');
    expect(formatPhone('+442079460958', 'US')).toBe('+44 20 7946 0958');
  });
});

describe('canReceiveSms', () => {
  it.each([
    ['+12015550123', true],
    ['72975', true],
    ['ACMEBANK', false],
    ['Info 24', false],
    ['unknown', false],
  ])('%s → %s', (address, expected) => {
    expect(canReceiveSms(address)).toBe(expected);
  });
});
