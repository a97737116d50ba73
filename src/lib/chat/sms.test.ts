import { describe, expect, it } from 'vitest';
import { formatDay, parseTime } from './time';
import type { DeliveryRecord, DeliveryStatus, MessageRecord, NumberRecord, ParticipantRecord } from '../api/types';
import {
  askAdmins,
  composerPlan,
  canRetry,
  deliveryLines,
  mayHaveDeliveries,
  mergeDeliveries,
  namePrefix,
  newestUpdate,
  numberName,
  optedOutWhen,
  optOutNotice,
  optOutRefusal,
  optOuts,
  readPhone,
  smsAccess,
  summariseDeliveries,
  threadPhone
} from './sms';

const number = (id: string, e164: string, label: string, sms_enabled = true): NumberRecord => ({
  id,
  e164,
  label,
  sms_enabled,
  mode: 'direct',
  smsc_link: '',
  created: '',
  updated: ''
});
const delivery = (id: string, to: string, status: DeliveryStatus, extra: Partial<DeliveryRecord> = {}): DeliveryRecord => ({
  id,
  message: 'm1',
  body: 'hello',
  to,
  from: '+12015550100',
  status,
  error: '',
  error_code: '',
  segments: 1,
  encoding: 'GSM-7',
  created: '2026-11-25 10:00:00.000Z',
  updated: '2026-11-25 10:00:00.000Z',
  ...extra
});
const participant = (phone: string, extra: Partial<ParticipantRecord> = {}): ParticipantRecord => ({
  id: `p-${phone}`,
  conversation: 'c',
  user: '',
  phone,
  last_read_at: '',
  left_at: '',
  muted: false,
  opted_out_at: '',
  ...extra
});
const system = (event: unknown): MessageRecord => ({
  id: 's',
  conversation: 'c',
  author: '',
  author_phone: '',
  body: '',
  kind: 'system',
  client_key: '',
  created: '2026-11-25 10:00:00.000Z',
  event
});

const main = number('n1', '+12015550100', 'Main');
const support = number('n2', '+12015550101', 'Support');
const fax = number('n3', '+12015550199', 'Fax', false);

describe('names', () => {
  it('takes the phone of an SMS thread from its key, and nothing from other conversations', () => {
    expect(threadPhone({ kind: 'sms', sms_key: 'n1:+12015550123' })).toBe('+12015550123');
    expect(threadPhone({ kind: 'group', sms_key: '' })).toBe('');
  });

  it('names a business number by label and formatted number', () => {
    expect(numberName(main, 'US')).toBe('Main (201) 555-0100');
    expect(numberName({ e164: '+442079460958', label: '' }, 'US')).toBe('+44 20 7946 0958');
  });

  it('reads a typed number: E.164 and the national form, or why not (at once when typing cannot fix it)', () => {
    expect(readPhone('(201) 555-0123', 'US')).toEqual({ state: 'ok', e164: '+12015550123', shown: '(201) 555-0123' });
    expect(readPhone('', 'US')).toEqual({ state: 'empty' });
    expect(readPhone('pizza', 'US')).toMatchObject({ state: 'bad', early: true, error: 'A phone number has only digits, spaces and + ( ) - .' });
    expect(readPhone('555', 'US')).toMatchObject({ state: 'bad', early: false, error: '555 is not a complete phone number.' });
  });
});

describe('smsAccess', () => {
  const numbers = [main, support, fax];
  it('offers your SMS-enabled numbers with your default first choice', () => {
    expect(smsAccess({ sms_numbers: ['n1', 'n2', 'n3'], default_number: 'n2' }, numbers, [], 'US')).toEqual({
      ok: true,
      choices: [
        { value: 'n1', label: 'Main (201) 555-0100' },
        { value: 'n2', label: 'Support (201) 555-0101' }
      ],
      preferred: 'n2'
    });
  });

  it('falls back to the first enabled number when the default has SMS off', () => {
    const access = smsAccess({ sms_numbers: ['n3', 'n1'], default_number: 'n3' }, numbers, [], 'US');
    expect(access).toMatchObject({ ok: true, preferred: 'n1' });
  });

  it.each([
    [{ sms_numbers: [], default_number: '' }, ['Alice', 'Bob'], 'No SMS number is assigned to you. Ask an administrator (Alice and Bob).'],
    [{ sms_numbers: [], default_number: '' }, [], 'No SMS number is assigned to you. Ask an administrator.'],
    [{ sms_numbers: ['n3'], default_number: 'n3' }, ['Alice'], 'SMS is switched off for Fax (201) 555-0199. Ask an administrator (Alice).']
  ])('explains why you cannot text: %j', (user, admins, reason) => {
    expect(smsAccess(user, numbers, admins, 'US')).toEqual({ ok: false, reason });
  });

  it('names a few administrators and counts the rest', () => {
    expect(askAdmins(['A', 'B', 'C', 'D', 'E'])).toBe('Ask an administrator (A, B and 3 others).');
  });
});

describe('composerPlan', () => {
  it('counts segments and encoding, with the reason for UCS-2', () => {
    expect(composerPlan('')).toBeNull();
    expect(composerPlan('Hello')?.label).toBe('1 SMS · GSM-7 · 155 left');
    expect(composerPlan('x'.repeat(265))?.label).toBe('2 SMS · GSM-7 · 41 left');
    expect(composerPlan('Hi 😀')?.label).toBe('1 SMS · UCS-2 because of 😀 · 65 left');
  });

  it('counts the name prefix a group puts in front, on the trimmed text', () => {
    const prefix = namePrefix('{name}: ', 'Alice');
    expect(prefix).toBe('Alice: ');
    expect(namePrefix('', 'Bob')).toBe('Bob: ');
    expect(composerPlan(`  ${'x'.repeat(153)}\n`, prefix)?.label).toBe('1 SMS · GSM-7 · 0 left');
    expect(composerPlan('x'.repeat(154), prefix)?.label).toBe('2 SMS · GSM-7 · 145 left');
  });

  it('refuses more than ten parts in the server’s words', () => {
    expect(composerPlan('x'.repeat(1530))?.over).toBe('');
    expect(composerPlan('é'.repeat(1531))?.over).toBe('This text would be sent as 11 SMS (GSM-7); the limit is 10. Shorten it.');
  });
});

describe('deliveries', () => {
  it('lists each recipient with sending (queued or sending), sent, delivered, or failed and why', () => {
    const lines = deliveryLines(
      [
        delivery('d3', '+12015550163', 'failed', { error: 'Number does not exist', error_code: '0x0B' }),
        delivery('d1', '+12015550161', 'queued'),
        delivery('d2', '+12015550162', 'delivered'),
        delivery('d4', '+12015550164', 'failed', { error_code: '0x45' })
      ],
      'US'
    );
    expect(lines.map((l) => [l.who, l.label, l.reason])).toEqual([
      ['(201) 555-0161', 'Sending…', ''],
      ['(201) 555-0162', 'Delivered', ''],
      ['(201) 555-0163', 'Failed', 'Number does not exist'],
      ['(201) 555-0164', 'Failed', 'The carrier refused it (code 0x45).']
    ]);
  });

  it('a queued text from a number whose link is down says what it waits for; a sending one does not', () => {
    const waitingFor = (from: string) => (from === '+12015550100' ? "Waiting for the SMSC link 'Gateway' (down since 12:03)" : '');
    const lines = deliveryLines(
      [
        delivery('d1', '+12015550161', 'queued', { from: '+12015550100' }),
        delivery('d2', '+12015550162', 'sending', { from: '+12015550100' }),
        delivery('d3', '+12015550163', 'queued', { from: '+12015550111' })
      ],
      'US',
      undefined,
      waitingFor
    );
    expect(lines.map((l) => l.label)).toEqual(["Waiting for the SMSC link 'Gateway' (down since 12:03)", 'Sending…', 'Sending…']);
  });

  it('a waiting text on a link that is up says its place in the queue; an outage says more', () => {
    const placeOf = (id: string) => (id === 'd1' ? 'Queued: 37 ahead · about 6 min' : '');
    const waitingFor = (from: string) => (from === '+12015550100' ? "Waiting for the SMSC link 'Gateway' (down since 12:03)" : '');
    const lines = deliveryLines(
      [
        delivery('d1', '+12015550161', 'queued', { from: '+12015550111' }),
        delivery('d2', '+12015550162', 'queued', { from: '+12015550100' }),
        delivery('d3', '+12015550163', 'queued', { from: '+12015550111' })
      ],
      'US',
      undefined,
      waitingFor,
      placeOf
    );
    expect(lines.map((l) => l.label)).toEqual(['Queued: 37 ahead · about 6 min', "Waiting for the SMSC link 'Gateway' (down since 12:03)", 'Sending…']);
  });

  it('a sent text whose receipt is not expected says Sent; one whose receipt is overdue says no report came', () => {
    const lines = deliveryLines(
      [
        delivery('d1', '+12015550161', 'sent', { report: 'not_expected' }),
        delivery('d2', '+12015550162', 'sent', { report: 'missing' }),
        delivery('d3', '+12015550163', 'sent', { report: 'awaited' })
      ],
      'US'
    );
    expect(lines.map((l) => [l.state, l.label])).toEqual([
      ['sent', 'Sent'],
      ['sent', 'No delivery report from the network'],
      ['sent', 'Sent']
    ]);
    expect(summariseDeliveries([{ status: 'sent', report: 'missing' }])).toBe('No delivery report from the network');
  });

  it('shows an unknown outcome as "may not have been sent" with its reason, and a possible duplicate with a note', () => {
    const lines = deliveryLines(
      [
        delivery('d1', '+12015550161', 'unknown', { error: 'The bridge stopped … Retry?', error_code: 'unknown_after_restart' }),
        delivery('d2', '+12015550162', 'delivered', { maybe_duplicate: true })
      ],
      'US'
    );
    expect(lines.map((l) => [l.label, l.reason, l.note, canRetry(l.state)])).toEqual([
      ['May not have been sent', 'The bridge stopped … Retry?', '', true],
      ['Delivered', '', 'May have been sent twice', false]
    ]);
  });

  it.each([
    [[], ''],
    [['sending'], 'Sending…'],
    [['sent'], 'Sent'],
    [['delivered', 'delivered'], '2 delivered'],
    [['failed', 'queued', 'delivered', 'sending', 'delivered'], '2 delivered · 2 sending · 1 failed'],
    [['unknown'], 'May not have been sent'],
    [['unknown', 'failed', 'sent'], '1 sent · 1 unsure · 1 failed']
  ] as [DeliveryStatus[], string][])('summarises %j as %s', (statuses, want) => {
    expect(summariseDeliveries(statuses.map((status) => ({ status })))).toBe(want);
  });

  it('merges by message, keeps the newer copy when a fetch and an event cross, and leaves other messages alone', () => {
    const other = delivery('x', '+12015550170', 'sent', { message: 'm2' });
    const start = mergeDeliveries(new Map(), [delivery('d1', '+12015550161', 'queued'), other]);
    const m2 = start.get('m2');
    const sent = delivery('d1', '+12015550161', 'sent', { updated: '2026-11-25 10:00:01.000Z' });
    const next = mergeDeliveries(start, [sent]);
    expect(next.get('m1')).toEqual([sent]);
    expect(next.get('m2')).toBe(m2);
    // a stale copy (fetched before the event) changes nothing
    expect(mergeDeliveries(next, [delivery('d1', '+12015550161', 'queued')])).toBe(next);
    expect(newestUpdate(next)).toBe('2026-11-25 10:00:01.000Z');
    expect(newestUpdate(new Map())).toBe('');
  });

  it('asks for the deliveries of colleagues’ texts while phones are in, and of texts relayed between phones', () => {
    expect(mayHaveDeliveries({ kind: 'text', author: 'u1', author_phone: '' }, 1)).toBe(true);
    expect(mayHaveDeliveries({ kind: 'text', author: 'u1', author_phone: '' }, 0)).toBe(false);
    expect(mayHaveDeliveries({ kind: 'text', author: '', author_phone: '+12015550161' }, 1)).toBe(false);
    expect(mayHaveDeliveries({ kind: 'text', author: '', author_phone: '+12015550161' }, 2)).toBe(true);
    expect(mayHaveDeliveries({ kind: 'system', author: 'u1', author_phone: '' }, 2)).toBe(false);
  });

  it('asks for the automatic reply a line of the appliance itself sent (STOP, START, HELP, greeting)', () => {
    expect(mayHaveDeliveries({ kind: 'system', author: '', author_phone: '' }, 1)).toBe(true);
    expect(mayHaveDeliveries({ kind: 'system', author: '', author_phone: '' }, 0)).toBe(false);
  });
});

describe('opt-outs', () => {
  const participants = [
    participant('+12015550201', { opted_out_at: '2026-11-25 09:30:00.000Z' }),
    participant('+12015550202'),
    participant('+12015550203', { opted_out_at: '2026-11-20 09:30:00.000Z', left_at: '2026-11-21 00:00:00.000Z' })
  ];

  it('lists active phones that opted out, with the word they replied when a loaded line says it', () => {
    expect(optOuts(participants, [])).toEqual([{ phone: '+12015550201', at: '2026-11-25 09:30:00.000Z', keyword: '' }]);
    const lines = [system({ type: 'opted_out', phone: '+12015550201', keyword: 'QUIT' }), system(null)];
    expect(optOuts(participants, lines)[0].keyword).toBe('QUIT');
  });

  it('says what an opt-out means in a thread and in a group, and refuses in the server’s words', () => {
    const o = { phone: '+12015550201', at: '2026-11-25 12:00:00.000Z', keyword: 'STOP' };
    const sameDay = new Date('2026-11-25T12:30:00Z');
    expect(optOutNotice(o, 'sms', 'US', sameDay)).toBe(
      '(201) 555-0201 opted out today (replied STOP). Texts to them are refused until they reply START.'
    );
    expect(optOutNotice({ ...o, keyword: '' }, 'group', 'US', new Date('2026-11-26T12:30:00Z'))).toBe(
      '(201) 555-0201 opted out yesterday. Texts to them fail until they reply START; the others still get them.'
    );
    expect(optOutRefusal({ ...o, keyword: '' }, 'US', sameDay)).toBe('(201) 555-0201 opted out of texts from this number today (replied STOP).');
  });

  it('says an older opt-out’s day as the message list’s day separators do (issue 14, item 5)', () => {
    const at = '2026-11-20 09:30:00.000Z';
    const now = new Date('2026-11-25T12:00:00Z');
    expect(optedOutWhen(at, now)).toBe(`on ${formatDay(parseTime(at)!, now)}`);
    expect(optedOutWhen(at, now)).not.toMatch(/\d{4}-\d\d-\d\d/);
  });
});
