// Message templates with merge fields: "Hi {first_name|there}, your order
// from {company} is ready." Parsed, checked when a template is saved (the
// hooks give the last word, the forms the same sentence first), and rendered
// for one thread's contact before it goes into the compose box.
// docs/templates.md explains the choices (field names, fallbacks, names).
import { cleanLabel, hasVisibleText } from './text';
import { checkSegments, planSms, type SmsPlan } from './segments';

/** TEMPLATE_FIELDS are the merge fields a template may use, in the order the help lists them. */
export const TEMPLATE_FIELDS = ['first_name', 'last_name', 'name', 'company', 'my_name'] as const;

/** TemplateField is one merge field's name. */
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];

/** MergeValues are the values of the fields for one thread; '' or absent = unknown. */
export type MergeValues = Partial<Record<TemplateField, string>>;

/** TEMPLATE_NAME_MAX is the longest template name, in characters. */
export const TEMPLATE_NAME_MAX = 80;
/** TEMPLATE_BODY_MAX is the longest template body, in characters (10 GSM-7 SMS hold 1,530). */
export const TEMPLATE_BODY_MAX = 1500;
/** FALLBACK_MAX is the longest fallback of one field ("{first_name|there}"). */
export const FALLBACK_MAX = 40;

/** TemplatePart is a piece of a parsed template: plain text, or a merge field with its optional fallback. */
export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'field'; field: string; fallback: string | null; raw: string };

// {{ and }} are literal braces; {anything without braces} is a field, so a
// typo such as {frist_name} or {first name} is caught rather than sent
const TOKEN = /\{\{|\}\}|\{([^{}]*)\}/g;

/** parseTemplate cuts a template body into text and merge fields. A field's name is read trimmed, in lower case. */
export function parseTemplate(body: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  let at = 0;
  for (const m of body.matchAll(TOKEN)) {
    text += body.slice(at, m.index!);
    at = m.index! + m[0].length;
    if (m[0] === '{{') text += '{';
    else if (m[0] === '}}') text += '}';
    else {
      if (text) parts.push({ kind: 'text', text });
      text = '';
      const inner = m[1];
      const bar = inner.indexOf('|');
      const field = (bar < 0 ? inner : inner.slice(0, bar)).trim().toLowerCase();
      const fallback = bar < 0 ? null : inner.slice(bar + 1).trim();
      parts.push({ kind: 'field', field, fallback, raw: m[0] });
    }
  }
  text += body.slice(at);
  if (text) parts.push({ kind: 'text', text });
  return parts;
}

/** isTemplateField tells a known merge field's name. */
export function isTemplateField(name: string): name is TemplateField {
  return (TEMPLATE_FIELDS as readonly string[]).includes(name);
}

/** fieldList is the known fields as people type them: "{first_name}, {last_name}, …". */
export function fieldList(): string {
  return TEMPLATE_FIELDS.map((f) => `{${f}}`).join(', ');
}

/** checkTemplateName returns why a template name cannot be saved, or ''. */
export function checkTemplateName(name: string): string {
  const clean = cleanLabel(name);
  if (!clean) return 'Give the template a name.';
  const length = Array.from(clean).length;
  if (length > TEMPLATE_NAME_MAX) return `A template name is at most ${TEMPLATE_NAME_MAX} characters; this one has ${length}.`;
  return '';
}

/** checkTemplateBody returns why a template body cannot be saved (empty, too long, an unknown or malformed merge field), or ''. */
export function checkTemplateBody(body: string): string {
  if (!hasVisibleText(body)) return 'Write the text of the template.';
  const length = Array.from(body).length;
  if (length > TEMPLATE_BODY_MAX) return `A template is at most ${TEMPLATE_BODY_MAX} characters; this one has ${length}.`;
  for (const part of parseTemplate(body)) {
    if (part.kind !== 'field') continue;
    if (!part.field) return `${part.raw} has no field name. The merge fields are ${fieldList()}; to write a brace itself, type it twice ({{ or }}).`;
    if (!isTemplateField(part.field)) return `${part.raw} is not a merge field. The merge fields are ${fieldList()}; to write a brace itself, type it twice ({{ or }}).`;
    if (part.fallback !== null && !part.fallback) return `${part.raw} has an empty fallback: write one after the bar ({${part.field}|there}) or leave the bar out.`;
    if (part.fallback !== null && Array.from(part.fallback).length > FALLBACK_MAX) return `The fallback of {${part.field}} is at most ${FALLBACK_MAX} characters.`;
  }
  const refusal = checkSegments(planSms(renderTemplate(body, {}).text));
  return refusal ? refusal.replace('This text', 'This template') : '';
}

/** Rendered is a template filled in for one thread: the text, what it costs as SMS, and which fields had no value. */
export interface Rendered {
  text: string;
  plan: SmsPlan;
  /** fields with no value and no fallback: left out of the text */
  missing: TemplateField[];
  /** fields with no value whose fallback was used */
  fellBack: TemplateField[];
  /** names that are not merge fields (a template saved before a field was withdrawn): kept as written */
  unknown: string[];
}

// punctuation a left-out field's space should not stand before ("Hi ," → "Hi,")
const CLOSES = /^[\s,.;:!?)]|^$/;

/**
 * renderTemplate fills a template in with the values for one thread. A field
 * without a value takes its fallback ({first_name|there}); without one it is
 * left out, and the space before it goes too when punctuation, a space or
 * the end follows, so "Hi {first_name}, …" becomes "Hi, …" and never "Hi , …".
 */
export function renderTemplate(body: string, values: MergeValues): Rendered {
  let text = '';
  const missing: TemplateField[] = [];
  const fellBack: TemplateField[] = [];
  const unknown: string[] = [];
  const parts = parseTemplate(body);
  parts.forEach((part, i) => {
    if (part.kind === 'text') {
      text += part.text;
      return;
    }
    if (!isTemplateField(part.field)) {
      unknown.push(part.raw);
      text += part.raw;
      return;
    }
    const value = (values[part.field] ?? '').trim();
    if (value) text += value;
    else if (part.fallback) {
      text += part.fallback;
      if (!fellBack.includes(part.field)) fellBack.push(part.field);
    } else {
      if (!missing.includes(part.field)) missing.push(part.field);
      const next = parts[i + 1];
      const after = next?.kind === 'text' ? next.text : '';
      if (text.endsWith(' ') && CLOSES.test(after)) text = text.slice(0, -1);
    }
  });
  return { text, plan: planSms(text), missing, fellBack, unknown };
}

/**
 * splitName reads a contact's one name field as first and last name: the
 * first word, and the rest. "Mary Ann Smith" → Mary / Ann Smith; "Prince"
 * → Prince / ''. The phonebook keeps one name per contact, so this is a
 * guess that suits most Western names; docs/templates.md says so.
 */
export function splitName(full: string): { first: string; last: string } {
  const words = cleanLabel(full).split(' ').filter(Boolean);
  return { first: words[0] ?? '', last: words.slice(1).join(' ') };
}

/** mergeValuesOf is the merge fields of a thread: its contact (or none) and the sender's own name. */
export function mergeValuesOf(contact: { name: string; company: string } | null, myName: string): MergeValues {
  const { first, last } = splitName(contact?.name ?? '');
  return {
    first_name: first,
    last_name: last,
    name: cleanLabel(contact?.name ?? ''),
    company: cleanLabel(contact?.company ?? ''),
    my_name: cleanLabel(myName),
  };
}
