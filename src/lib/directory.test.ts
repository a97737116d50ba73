import { describe, expect, it } from 'vitest';
import type { UserRecord } from './api/types';
import { matchesColleague, matchesUser, pickable, sortByExtension } from './directory';

const user = (name: string, extension: string, email = `${extension}@x.test`) =>
  ({ id: extension, name, extension, email }) as UserRecord;

describe('sortByExtension', () => {
  it('orders extensions as numbers, not as text', () => {
    const sorted = sortByExtension([user('C', '100'), user('A', '20'), user('B', '0100'), user('D', '3')]);
    expect(sorted.map((u) => u.extension)).toEqual(['3', '20', '0100', '100']);
  });
});

describe('matchesUser', () => {
  const ada = user('Ada Lovelace', '101', 'ada@example.test');
  it.each([
    ['empty query matches everyone', '', true],
    ['part of the name, any case', 'love', true],
    ['part of the extension', '10', true],
    ['the email', 'ada@', true],
    ['surrounding spaces are ignored', '  ada ', true],
    ['anything else does not match', 'bob', false],
  ])('%s', (_name, query, want) => {
    expect(matchesUser(ada, query)).toBe(want);
  });
});

describe('matchesColleague and pickable', () => {
  const people = [
    { id: 'me', name: 'Alice', extension: '201', disabled: false },
    { id: 'c', name: 'carol', extension: '203', disabled: false },
    { id: 'b', name: 'Bob', extension: '202', disabled: false },
    { id: 'g', name: 'Gone', extension: '299', disabled: true },
  ];

  it('finds a colleague by name or extension', () => {
    expect(people.filter((u) => matchesColleague(u, 'CAR')).map((u) => u.id)).toEqual(['c']);
    expect(people.filter((u) => matchesColleague(u, '20')).map((u) => u.id)).toEqual(['me', 'c', 'b']);
  });

  it('offers active colleagues other than you and those excluded, by name', () => {
    expect(pickable(people, 'me').map((u) => u.id)).toEqual(['b', 'c']);
    expect(pickable(people, 'me', ['b']).map((u) => u.id)).toEqual(['c']);
  });
});
