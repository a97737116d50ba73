import { describe, expect, it } from 'vitest';
import {
  numberChoices,
  numberName,
  numbersBody,
  planNumberUsers,
  previewNumber,
  settleDefault,
  sortNumbers,
  usersOfNumber,
  type UserNumbers
} from './numbers';

const user = (id: string, sms_numbers: string[] = [], default_number = ''): UserNumbers => ({
  id,
  sms_numbers,
  default_number
});

describe('previewNumber', () => {
  it.each([
    ['(201) 555-0100', 'US', '+12015550100', '+1 201 555 0100'],
    ['201.555.0100', 'US', '+12015550100', '+1 201 555 0100'],
    ['+44 20 7946 0958', 'US', '+442079460958', '+44 20 7946 0958'],
    ['0044 20 7946 0958', 'US', '+442079460958', '+44 20 7946 0958'],
    ['020 7946 0958', 'GB', '+442079460958', '+44 20 7946 0958']
  ])('reads %s (country %s) as %s', (input, country, e164, international) => {
    expect(previewNumber(input, country)).toEqual({ state: 'ok', e164, international });
  });

  it('is empty for blank input', () => {
    expect(previewNumber('   ', 'US')).toEqual({ state: 'empty' });
  });

  it('says at once that letters are not a number', () => {
    const p = previewNumber('hello', 'US');
    expect(p).toMatchObject({ state: 'bad', early: true });
    expect(p.state === 'bad' && p.error).toMatch(/only digits/);
  });

  it('waits for more digits before calling a short number wrong', () => {
    expect(previewNumber('201 555', 'US')).toMatchObject({ state: 'bad', early: false, error: '201 555 is not a complete phone number.' });
  });

  it('says at once that more than 15 digits cannot be a number', () => {
    expect(previewNumber('1234567890123456', 'US')).toMatchObject({ state: 'bad', early: true });
  });
});

describe('planNumberUsers', () => {
  const N = 'num1';

  it.each<[string, UserNumbers[], string[], ReturnType<typeof planNumberUsers>]>([
    ['nothing changes when the allowed users already have it', [user('a', [N], N), user('b')], ['a'], []],
    ['a user without numbers gains it as default', [user('a')], ['a'], [{ user: 'a', add: N, default_number: N }]],
    ['a user with a default keeps it', [user('a', ['x'], 'x')], ['a'], [{ user: 'a', add: N }]],
    ['a user whose default is not in the list gets this one', [user('a', ['x'], 'gone')], ['a'], [{ user: 'a', add: N, default_number: N }]],
    ['a removed user keeps another default', [user('a', ['x', N], 'x')], [], [{ user: 'a', remove: N }]],
    ['a removed default falls back to the first remaining number', [user('a', [N, 'x', 'y'], N)], [], [{ user: 'a', remove: N, default_number: 'x' }]],
    ['a removed only number clears the default', [user('a', [N], N)], [], [{ user: 'a', remove: N, default_number: '' }]],
    ['unknown ids in allowed are ignored', [user('a')], ['ghost'], []],
    [
      'adds and removes in one plan, in user order',
      [user('a', [N], N), user('b'), user('c', [N], 'x')],
      ['b'],
      [
        { user: 'a', remove: N, default_number: '' },
        { user: 'b', add: N, default_number: N },
        { user: 'c', remove: N }
      ]
    ]
  ])('%s', (_name, users, allowed, expected) => {
    expect(planNumberUsers(users, N, allowed)).toEqual(expected);
  });

  it('treats a missing sms_numbers as empty', () => {
    const bare = { id: 'a', default_number: '' } as unknown as UserNumbers;
    expect(planNumberUsers([bare], N, ['a'])).toEqual([{ user: 'a', add: N, default_number: N }]);
  });
});

describe('numbersBody', () => {
  it.each([
    [{ user: 'a', add: 'n' }, { 'sms_numbers+': 'n' }],
    [{ user: 'a', add: 'n', default_number: 'n' }, { 'sms_numbers+': 'n', default_number: 'n' }],
    [{ user: 'a', remove: 'n', default_number: '' }, { 'sms_numbers-': 'n', default_number: '' }],
    [{ user: 'a', set: ['n', 'm'], default_number: 'm' }, { sms_numbers: ['n', 'm'], default_number: 'm' }],
    [{ user: 'a', set: [] }, { sms_numbers: [] }]
  ])('%j → %j', (change, body) => {
    expect(numbersBody(change)).toEqual(body);
  });
});

describe('settleDefault', () => {
  it.each([
    [['a', 'b'], 'b', 'b'],
    [['a', 'b'], 'c', 'a'],
    [['a', 'b'], '', 'a'],
    [[], 'a', '']
  ])('selected %j, preferred %j → %j', (selected, preferred, expected) => {
    expect(settleDefault(selected, preferred)).toBe(expected);
  });
});

describe('lists of numbers', () => {
  const numbers = [
    { id: '1', label: 'Support', e164: '+12015550101', sms_enabled: true },
    { id: '2', label: '', e164: '+12015550102', sms_enabled: true },
    { id: '3', label: 'accounts', e164: '+12015550103', sms_enabled: false },
    { id: '4', label: 'Main', e164: '+12015550104', sms_enabled: true }
  ];

  it('sortNumbers orders by label ignoring case, unlabelled last', () => {
    expect(sortNumbers(numbers).map((n) => n.id)).toEqual(['3', '4', '1', '2']);
  });

  it('numberChoices offers SMS-enabled numbers and keeps ones the user already has', () => {
    expect(numberChoices(numbers, []).map((n) => n.id)).toEqual(['4', '1', '2']);
    expect(numberChoices(numbers, ['3']).map((n) => n.id)).toEqual(['3', '4', '1', '2']);
  });

  it('usersOfNumber finds the users allowed on a number', () => {
    expect(usersOfNumber([user('a', ['1']), user('b', ['2']), user('c', ['1', '2'])], '1')).toEqual(['a', 'c']);
  });

  it('numberName shows the label and the number formatted for the country', () => {
    expect(numberName({ label: 'Main', e164: '+12015550100' }, 'US')).toBe('Main · (201) 555-0100');
    expect(numberName({ label: '', e164: '+12015550100' }, 'GB')).toBe('+1 201 555 0100');
  });
});
