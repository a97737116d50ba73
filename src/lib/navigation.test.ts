import { describe, expect, it } from 'vitest';
import { HOME, loginUrl, safeNext } from './navigation';

describe('safeNext', () => {
  it.each([
    ['a page of the app is kept', '/admin/users?q=1', '/admin/users?q=1'],
    ['nothing asked goes home', null, HOME],
    ['another origin goes home', 'https://evil.example/', HOME],
    ['a protocol-relative URL goes home', '//evil.example/x', HOME],
    ['a backslash trick goes home', '/\\evil.example', HOME],
    ['back to login goes home', '/login?next=/x', HOME],
    ['back to setup goes home', '/setup', HOME],
  ])('%s', (_name, next, want) => {
    expect(safeNext(next)).toBe(want);
  });
});

describe('loginUrl', () => {
  it.each([
    ['remembers the page asked for', 'http://h/admin/users?q=ada', '/login?next=%2Fadmin%2Fusers%3Fq%3Dada'],
    ['home needs no next', 'http://h/messages', '/login'],
    ['the bare origin needs no next', 'http://h/', '/login'],
  ])('%s', (_name, url, want) => {
    expect(loginUrl(new URL(url))).toBe(want);
  });
});
