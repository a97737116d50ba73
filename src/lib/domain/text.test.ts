import { describe, expect, it } from 'vitest';
import { cleanLabel, hasVisibleText } from './text';

describe('hasVisibleText', () => {
  it.each([
    ['', false],
    ['   \n\t', false],
    ['\u200B\u200B', false],
    ['\u200D\u200C\uFEFF\u2060', false],
    ['\u202E\u202C', false],
    ['\u00AD', false],
    ['a', true],
    ['\u200Bhi', true],
    ['👨‍👩‍👧', true],
    ['مرحبا\u200F', true],
  ])('%j → %s', (text, expected) => {
    expect(hasVisibleText(text)).toBe(expected);
  });
});

describe('cleanLabel', () => {
  it('removes direction overrides that make a name read backwards', () => {
    expect(cleanLabel('\u202Eecila\u202C')).toBe('ecila');
    expect(cleanLabel('Bob \u2067Admin\u2069')).toBe('Bob Admin');
    expect(cleanLabel('Eve\u200E: ')).toBe('Eve:');
  });

  it('drops zero-width spaces but keeps the joiners emoji sequences need', () => {
    expect(cleanLabel('Sa\u200Bles')).toBe('Sales');
    expect(cleanLabel('Family 👨‍👩‍👧')).toBe('Family 👨‍👩‍👧');
  });

  it('is empty when nothing visible is left', () => {
    expect(cleanLabel('\u200B\u200D \u202E')).toBe('');
    expect(cleanLabel('   ')).toBe('');
  });

  it('makes whitespace runs one space', () => {
    expect(cleanLabel('  Front \n desk  ')).toBe('Front desk');
  });
});
