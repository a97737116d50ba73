import { describe, expect, it } from 'vitest';
import { checkTemplateBody, checkTemplateName, mergeValuesOf, parseTemplate, renderTemplate, splitName } from './templates';

const ALICE = mergeValuesOf({ name: 'Alice  Baker-Smith', company: 'Acme Plumbing' }, 'Bob');
const NOBODY = mergeValuesOf(null, 'Bob');

describe('parseTemplate', () => {
  it('reads text, fields with and without fallbacks, and doubled braces', () => {
    expect(parseTemplate('Hi {first_name|there}, {{code}} from { Company }.')).toEqual([
      { kind: 'text', text: 'Hi ' },
      { kind: 'field', field: 'first_name', fallback: 'there', raw: '{first_name|there}' },
      { kind: 'text', text: ', {code} from ' },
      { kind: 'field', field: 'company', fallback: null, raw: '{ Company }' },
      { kind: 'text', text: '.' },
    ]);
  });

  it('keeps a lone brace as text', () => {
    expect(parseTemplate('a { b')).toEqual([{ kind: 'text', text: 'a { b' }]);
  });
});

describe('checkTemplateBody', () => {
  it.each([
    ['Hi {first_name}, your order from {company} is ready. {my_name}', ''],
    ['Hi {first_name|there}!', ''],
    ['Use code {{SAVE10}}', ''],
    ['Hi {FIRST_NAME}', ''],
    ['', 'Write the text of the template.'],
    ['  \u200b ', 'Write the text of the template.'],
    ['Hi {frist_name}', '{frist_name} is not a merge field. The merge fields are {first_name}, {last_name}, {name}, {company}, {my_name}; to write a brace itself, type it twice ({{ or }}).'],
    ['Hi {first name}', '{first name} is not a merge field. The merge fields are {first_name}, {last_name}, {name}, {company}, {my_name}; to write a brace itself, type it twice ({{ or }}).'],
    ['Hi {}', '{} has no field name. The merge fields are {first_name}, {last_name}, {name}, {company}, {my_name}; to write a brace itself, type it twice ({{ or }}).'],
    ['Hi {first_name|}', '{first_name|} has an empty fallback: write one after the bar ({first_name|there}) or leave the bar out.'],
    [`Hi {first_name|${'x'.repeat(41)}}`, 'The fallback of {first_name} is at most 40 characters.'],
    ['x'.repeat(1501), 'A template is at most 1500 characters; this one has 1501.'],
    ['😀'.repeat(700), 'This template would be sent as 22 SMS (UCS-2); the limit is 10. Shorten it.'],
  ])('%j → %j', (body, problem) => expect(checkTemplateBody(body)).toBe(problem));
});

describe('checkTemplateName', () => {
  it.each([
    ['Order ready', ''],
    ['  ', 'Give the template a name.'],
    ['x'.repeat(81), 'A template name is at most 80 characters; this one has 81.'],
  ])('%j → %j', (name, problem) => expect(checkTemplateName(name)).toBe(problem));
});

describe('renderTemplate', () => {
  it('fills the fields from the contact and the sender', () => {
    const r = renderTemplate('Hi {first_name} {last_name} ({name}) at {company}. {my_name}', ALICE);
    expect(r.text).toBe('Hi Alice Baker-Smith (Alice Baker-Smith) at Acme Plumbing. Bob');
    expect(r).toMatchObject({ missing: [], fellBack: [], unknown: [] });
  });

  it('uses the fallback when the contact is unknown', () => {
    const r = renderTemplate('Hi {first_name|there}, thanks!', NOBODY);
    expect(r.text).toBe('Hi there, thanks!');
    expect(r.fellBack).toEqual(['first_name']);
    expect(r.missing).toEqual([]);
  });

  it.each([
    ['Hi {first_name}, your order is ready.', 'Hi, your order is ready.'],
    ['Hi {first_name}!', 'Hi!'],
    ['Dear {first_name} {last_name}', 'Dear'],
    ['Dear {first_name} Smith', 'Dear Smith'],
    ['Thanks {first_name}', 'Thanks'],
    ['{first_name}: ready', ': ready'],
  ])('leaves an unknown field out without a stray space: %j → %j', (body, text) => {
    const r = renderTemplate(body, NOBODY);
    expect(r.text).toBe(text);
    expect(r.missing).toContain('first_name');
  });

  it('uses the contact value over the fallback', () => {
    expect(renderTemplate('Hi {first_name|there}', ALICE).text).toBe('Hi Alice');
  });

  it('keeps a name that is no field as written and says so', () => {
    const r = renderTemplate('Hi {nickname}', ALICE);
    expect(r.text).toBe('Hi {nickname}');
    expect(r.unknown).toEqual(['{nickname}']);
  });

  it('counts the rendered text: GSM-7, then UCS-2 once a name needs it', () => {
    const body = `Hi {first_name}, ${'x'.repeat(150)}`;
    expect(renderTemplate(body, mergeValuesOf({ name: 'Al', company: '' }, '')).plan).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect(renderTemplate(body, mergeValuesOf({ name: 'Christopher', company: '' }, '')).plan).toMatchObject({ encoding: 'GSM-7', segments: 2 });
    // ë is not in GSM-7: one letter of a name turns 1 SMS into 3
    expect(renderTemplate(body, mergeValuesOf({ name: 'Zoë', company: '' }, '')).plan).toMatchObject({ encoding: 'UCS-2', segments: 3, reason: 'ë' });
    const emoji = renderTemplate('Hi {first_name} 🎉', ALICE).plan;
    expect(emoji).toMatchObject({ encoding: 'UCS-2', segments: 1, reason: '🎉' });
    expect(renderTemplate('Hi {first_name}', mergeValuesOf({ name: 'Łukasz', company: '' }, '')).plan.encoding).toBe('UCS-2');
  });
});

describe('splitName', () => {
  it.each([
    ['Mary Ann Smith', 'Mary', 'Ann Smith'],
    ['Prince', 'Prince', ''],
    ['  Jean-Luc   Picard ', 'Jean-Luc', 'Picard'],
    ['', '', ''],
  ])('%j → %j / %j', (full, first, last) => expect(splitName(full)).toEqual({ first, last }));
});
