// SMS in the inbox, the pure parts: naming phones and business numbers,
// whether you may text and from which numbers, the composer's segment
// counter, delivery status per recipient, and opt-out notices. No SDK, no
// runes; the state classes and components call these (see README "SMS").
import type { ConversationKind, ConversationRecord, DeliveryRecord, DeliveryStatus, MessageRecord, NumberRecord, ParticipantRecord } from '../api/types';
import { formatPhone } from '../domain/phone';
import { checkSegments, describePlan, planSms, type SmsPlan } from '../domain/segments';
import { previewNumber } from '../admin/numbers';
import { NO_REPORT } from '../domain/smsc-link';
import { listNames } from './receipts';
import { formatDayInline, parseTime } from './time';


/** threadPhone is the phone of an SMS thread, read from its sms_key; '' for other conversations. */
export function threadPhone(c: Pick<ConversationRecord, 'kind' | 'sms_key'>): string {
  if (c.kind !== 'sms') return '';
  const i = c.sms_key.indexOf(':');
  return i < 0 ? '' : c.sms_key.slice(i + 1);
}

/** numberName names a business number for people: "Main (201) 555-0100", or the number alone without a label. */
export function numberName(n: Pick<NumberRecord, 'e164' | 'label'>, country: string): string {
  const shown = formatPhone(n.e164, country);
  return n.label ? `${n.label} ${shown}` : shown;
}

/** PhoneReading is what a phone field shows while someone types. */
export type PhoneReading =
  | { state: 'empty' }
  | { state: 'ok'; e164: string; shown: string }
  /** early: more typing cannot fix it, so it is shown at once; otherwise after leaving the field */
  | { state: 'bad'; error: string; early: boolean };

/** readPhone reads a typed phone number with the default country (the same rules as the server's checkPhone). */
export function readPhone(input: string, country: string): PhoneReading {
  const preview = previewNumber(input, country);
  if (preview.state !== 'ok') return preview;
  return { state: 'ok', e164: preview.e164, shown: formatPhone(preview.e164, country) };
}

/** SmsAccess says whether you may text, from which numbers (preferred first choice), or why not. */
export type SmsAccess =
  | { ok: true; choices: { value: string; label: string }[]; preferred: string }
  | { ok: false; reason: string };

/** askAdmins ends an explanation with whom to ask: "Ask an administrator (Alice, Bob)." */
export function askAdmins(admins: readonly string[]): string {
  if (admins.length === 0) return 'Ask an administrator.';
  const shown = admins.length <= 3 ? listNames(admins) : `${admins.slice(0, 2).join(', ')} and ${admins.length - 2} others`;
  return `Ask an administrator (${shown}).`;
}

/**
 * smsAccess works out what + New → SMS offers: the SMS-enabled numbers among
 * yours (your default preselected when it is one of them), or in words why
 * you cannot text and whom to ask.
 */
export function smsAccess(
  user: { sms_numbers: readonly string[]; default_number: string },
  numbers: readonly NumberRecord[],
  admins: readonly string[],
  country: string
): SmsAccess {
  const assigned = numbers.filter((n) => user.sms_numbers.includes(n.id));
  if (assigned.length === 0) return { ok: false, reason: `No SMS number is assigned to you. ${askAdmins(admins)}` };
  const enabled = assigned.filter((n) => n.sms_enabled);
  if (enabled.length === 0) {
    const names = listNames(assigned.map((n) => numberName(n, country)));
    return { ok: false, reason: `SMS is switched off for ${names}. ${askAdmins(admins)}` };
  }
  const preferred = enabled.some((n) => n.id === user.default_number) ? user.default_number : enabled[0].id;
  return { ok: true, choices: enabled.map((n) => ({ value: n.id, label: numberName(n, country) })), preferred };
}

/** namePrefix is what goes before your text when a group texts it to its phones (settings.sms_name_prefix). */
export function namePrefix(template: string, name: string): string {
  return (template || '{name}: ').replace('{name}', name);
}

/** ComposerPlan is the composer's counter for a text going out by SMS. */
export interface ComposerPlan {
  plan: SmsPlan;
  /** e.g. "2 SMS · GSM-7 · 41 left" */
  label: string;
  /** the server's refusal when the text is over MAX_SEGMENTS parts; '' otherwise */
  over: string;
}

/** overLimit is the server's sentence for a text that costs too many SMS parts. */
export const overLimit = checkSegments;

/**
 * composerPlan counts what the text being written costs as SMS, the way the
 * server will send it: trimmed, after `prefix` (the sender's name in groups).
 * Null while nothing is written.
 */
export function composerPlan(body: string, prefix = ''): ComposerPlan | null {
  const text = body.trim();
  if (!text) return null;
  const plan = planSms(prefix + text);
  return { plan, label: describePlan(plan), over: checkSegments(plan) };
}

/** DeliveryState is a delivery as people see it: queued and sending both read "sending". */
export type DeliveryState = 'sending' | 'sent' | 'delivered' | 'failed' | 'unknown';

/** deliveryState maps the stored status to what the bubble shows. */
export function deliveryState(status: DeliveryStatus): DeliveryState {
  return status === 'queued' ? 'sending' : status;
}

/** DELIVERY_LABELS are the words under a bubble. */
export const DELIVERY_LABELS: Record<DeliveryState, string> = {
  sending: 'Sending…',
  sent: 'Sent',
  delivered: 'Delivered',
  failed: 'Failed',
  unknown: 'May not have been sent'
};

/** deliveryLabel is the words for one delivery: a `sent` text whose receipt is overdue says so. */
export function deliveryLabel(d: Pick<DeliveryRecord, 'status' | 'report'>): string {
  if (d.status === 'sent' && d.report === 'missing') return NO_REPORT;
  return DELIVERY_LABELS[deliveryState(d.status)];
}

/** MAYBE_TWICE is the note on a delivery that was sent again after a send that got no answer. */
export const MAYBE_TWICE = 'May have been sent twice';

/** canRetry says whether a person may send a delivery again: failed, or unknown. */
export function canRetry(state: DeliveryState): boolean {
  return state === 'failed' || state === 'unknown';
}

/** failureReason says why a delivery failed: the bridge's sentence, else its code. */
export function failureReason(d: Pick<DeliveryRecord, 'error' | 'error_code'>): string {
  if (d.error) return d.error;
  if (d.error_code) return `The carrier refused it (code ${d.error_code}).`;
  return 'No reason was given.';
}

/** DeliveryLine is one recipient's status under a bubble. */
export interface DeliveryLine {
  /** the delivery's id (for Retry) */
  id: string;
  /** the phone, formatted */
  who: string;
  state: DeliveryState;
  label: string;
  /** for failed and unknown ones, why; '' otherwise */
  reason: string;
  /** MAYBE_TWICE when the phone may have got it twice; '' otherwise */
  note: string;
}

/**
 * deliveryLines lists a message's recipients with their status, by name
 * (nameOf; the formatted number by default). waitingFor names what a queued
 * text waits for (its link is down: "Waiting for the SMSC link 'X' (down
 * since 12:03)"), '' when nothing.
 */
export function deliveryLines(
  list: readonly DeliveryRecord[],
  country: string,
  nameOf: (e164: string) => string = (p) => formatPhone(p, country),
  waitingFor: (from: string) => string = () => '',
  placeOf: (id: string) => string = () => ''
): DeliveryLine[] {
  return [...list]
    .sort((a, b) => (a.to < b.to ? -1 : a.to > b.to ? 1 : 0))
    .map((d) => {
      const state = deliveryState(d.status);
      return {
        id: d.id,
        who: nameOf(d.to),
        state,
        label: (d.status === 'queued' && (waitingFor(d.from) || placeOf(d.id))) || deliveryLabel(d),
        reason: canRetry(state) ? failureReason(d) : '',
        note: d.maybe_duplicate ? MAYBE_TWICE : ''
      };
    });
}

const SUMMARY_ORDER: DeliveryState[] = ['delivered', 'sent', 'sending', 'unknown', 'failed'];

/**
 * summariseDeliveries sums up a message's deliveries in one line: the status
 * of a single one ("Delivered", "Sending…"), else counts in a fixed order
 * ("2 delivered · 1 sending · 1 failed"). '' for none.
 */
export function summariseDeliveries(list: readonly Pick<DeliveryRecord, 'status' | 'report'>[]): string {
  const word: Record<DeliveryState, string> = { delivered: 'delivered', sent: 'sent', sending: 'sending', unknown: 'unsure', failed: 'failed' };
  if (list.length === 0) return '';
  const counts = new Map<DeliveryState, number>();
  for (const d of list) {
    const s = deliveryState(d.status);
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  if (list.length === 1) return deliveryLabel(list[0]);
  return SUMMARY_ORDER.filter((s) => counts.has(s))
    .map((s) => `${counts.get(s)} ${word[s]}`)
    .join(' · ');
}

/** DeliveriesByMessage is message id → its deliveries. */
export type DeliveriesByMessage = ReadonlyMap<string, readonly DeliveryRecord[]>;

/** NO_DELIVERIES is the shared empty list of a message without deliveries. */
export const NO_DELIVERIES: readonly DeliveryRecord[] = Object.freeze([]);

/**
 * mergeDeliveries adds fetched or realtime deliveries. A copy replaces a
 * known one only when it is not older (`updated`), since a fetch and an event
 * can cross. Only the messages whose deliveries changed get a new list; the
 * same map comes back when nothing changed.
 */
export function mergeDeliveries(map: DeliveriesByMessage, incoming: readonly DeliveryRecord[]): DeliveriesByMessage {
  let next: Map<string, readonly DeliveryRecord[]> | null = null;
  for (const d of incoming) {
    const current = (next ?? map).get(d.message) ?? NO_DELIVERIES;
    const i = current.findIndex((x) => x.id === d.id);
    if (i >= 0 && (current[i] === d || current[i].updated > d.updated || sameDelivery(current[i], d))) continue;
    next ??= new Map(map);
    next.set(d.message, i >= 0 ? current.with(i, d) : [...current, d]);
  }
  return next ?? map;
}

function sameDelivery(a: DeliveryRecord, b: DeliveryRecord): boolean {
  return (
    a.updated === b.updated && a.status === b.status && a.error === b.error && a.error_code === b.error_code && a.maybe_duplicate === b.maybe_duplicate
  );
}

/** newestUpdate is the latest `updated` among the deliveries known; '' for none. */
export function newestUpdate(map: DeliveriesByMessage): string {
  let newest = '';
  for (const list of map.values()) for (const d of list) if (d.updated > newest) newest = d.updated;
  return newest;
}

/** activePhones are the external members still in a conversation. */
export function activePhones(participants: readonly ParticipantRecord[]): ParticipantRecord[] {
  return participants.filter((p) => p.phone && !p.left_at);
}

/**
 * mayHaveDeliveries says whether a new message could have been texted
 * anywhere, so its deliveries are worth asking for: a colleague's text while
 * phones are in the conversation, or a phone's text relayed to other phones.
 */
export function mayHaveDeliveries(m: Pick<MessageRecord, 'kind' | 'author' | 'author_phone'>, phones: number): boolean {
  // the appliance's own lines may carry the automatic reply they sent
  if (m.kind === 'system') return !m.author && phones > 0;
  if (m.kind !== 'text') return false;
  if (m.author) return phones > 0;
  return !!m.author_phone && phones > 1;
}

/** optOutKeyword finds the word a phone replied when it opted out, from the newest system line about it; '' when not loaded. */
export function optOutKeyword(messages: readonly MessageRecord[], phone: string): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const e = messages[i].event as { type?: string; phone?: string; keyword?: string } | null | undefined;
    if (e?.type === 'opted_out' && e.phone === phone) return e.keyword ?? '';
  }
  return '';
}

/** OptOut is a phone that refuses texts from the conversation's number. */
export interface OptOut {
  phone: string;
  /** when, as the server writes dates */
  at: string;
  /** the word they replied; '' when unknown */
  keyword: string;
}

/** optOuts lists the active phones of a conversation that opted out, with the word they used when it is known. */
export function optOuts(participants: readonly ParticipantRecord[], messages: readonly MessageRecord[]): OptOut[] {
  return activePhones(participants)
    .filter((p) => p.opted_out_at)
    .map((p) => ({ phone: p.phone, at: p.opted_out_at, keyword: optOutKeyword(messages, p.phone) }));
}

/** optedOutWhen says an opt-out's day the way the message list does: 'today', 'yesterday', 'on Monday 23 November'. */
export function optedOutWhen(at: string, now: Date): string {
  const date = parseTime(at);
  return date ? formatDayInline(date, now) : '';
}

/**
 * optOutNotice is the banner of a conversation with an opted-out phone:
 * "(201) 555-0201 opted out today (replied STOP). Texts to them are
 * refused until they reply START." In a group the others still get texts.
 */
export function optOutNotice(o: OptOut, kind: ConversationKind, country: string, now: Date): string {
  const replied = o.keyword ? ` (replied ${o.keyword})` : '';
  const then = kind === 'group' ? 'Texts to them fail until they reply START; the others still get them.' : 'Texts to them are refused until they reply START.';
  return `${formatPhone(o.phone, country)} opted out ${optedOutWhen(o.at, now)}${replied}. ${then}`;
}

/** optOutRefusal says why the composer is closed, as the server refuses such a text. */
export function optOutRefusal(o: OptOut, country: string, now: Date): string {
  return `${formatPhone(o.phone, country)} opted out of texts from this number ${optedOutWhen(o.at, now)} (replied ${o.keyword || 'STOP'}).`;
}
