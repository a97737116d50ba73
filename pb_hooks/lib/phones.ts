// Phones as participants: normalising what people type, external members
// of a conversation, and the opt-out list they may be on.
import { badField } from './http';
import { findSettings } from './settings';
import { checkPhone, formatPhone } from '../../src/lib/domain/phone';

/** checkPhones normalises phone numbers typed by a person, refusing the first one that is not a number. */
export function checkPhones(app: CoreApp, raw: unknown, field: string): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) badField(field, 'Give a list of phone numbers.');
  const country = findSettings(app).getString('default_country');
  const out: string[] = [];
  for (const item of raw as unknown[]) {
    const r = checkPhone(typeof item === 'string' ? item : '', country);
    if (!r.ok) badField(field, r.error);
    if (!out.includes(r.e164)) out.push(r.e164);
  }
  return out;
}

/** doAddPhone makes a phone an (active) external participant, carrying over an opt-out already on record. */
export function doAddPhone(app: CoreApp, conversation: core.Record, phone: string): void {
  let p: core.Record;
  try {
    p = app.findFirstRecordByFilter('participants', 'conversation = {:c} && phone = {:p}', { c: conversation.id, p: phone });
  } catch (_) {
    p = new Record(app.findCollectionByNameOrId('participants'));
    p.set('conversation', conversation.id);
    p.set('phone', phone);
  }
  p.set('left_at', '');
  const optOut = findOptOut(app, phone, conversation.getString('our_number'));
  p.set('opted_out_at', optOut ? optOut.getString('at') : '');
  app.save(p);
}

/** findPhones returns the active external participants of a conversation. */
export function findPhones(app: CoreApp, conversationId: string): string[] {
  return app
    .findRecordsByFilter('participants', "conversation = {:c} && phone != '' && left_at = ''", 'created', 0, 0, { c: conversationId })
    .map((p) => p!.getString('phone'));
}

/** findOptOut returns the opt-out of a phone from a business number, if there is one. */
export function findOptOut(app: CoreApp, phone: string, numberId: string): core.Record | undefined {
  if (!numberId) return undefined;
  try {
    return app.findFirstRecordByFilter('opt_outs', 'phone = {:p} && our_number = {:n}', { p: phone, n: numberId });
  } catch (_) {
    return undefined;
  }
}

/** optOutReason says in words since when a phone refuses texts from a number. */
export function optOutReason(app: CoreApp, optOut: core.Record): string {
  const country = findSettings(app).getString('default_country');
  const phone = formatPhone(optOut.getString('phone'), country);
  const day = optOut.getString('at').slice(0, 10);
  return `${phone} opted out of texts from this number on ${day} (replied ${optOut.getString('keyword') || 'STOP'}).`;
}
