import { describe, expect, it } from 'vitest';
import { LINK_DEFAULTS, applyProfile, checkLink, flapWarning, formatSince, healthFigures, linkStatus, pickConfig, toLinkForm, waitingLine, type LinkFormValues } from './links';
import type { SmscLinkRecord } from '../api/types';

const form = (changes: Partial<LinkFormValues> = {}): LinkFormValues => ({
  ...toLinkForm({ ...LINK_DEFAULTS, name: 'Carrier', host: 'smsc.example.net', system_id: 'acme', password: 'secret' }),
  ...changes
});

describe('checkLink', () => {
  it('turns the defaults into a record with -1 (auto) TON/NPI, port 2775, window 10', () => {
    const result = checkLink(form());
    expect(result).toEqual({
      ok: true,
      config: { ...LINK_DEFAULTS, name: 'Carrier', host: 'smsc.example.net', system_id: 'acme', password: 'secret' }
    });
  });

  it('trims text but keeps the password as typed', () => {
    const result = checkLink(form({ name: ' Carrier ', host: ' smsc.example.net ', password: ' pw ' }));
    expect(result.ok && result.config).toMatchObject({ name: 'Carrier', host: 'smsc.example.net', password: ' pw ' });
  });

  it('reads numbers typed as text', () => {
    const result = checkLink(form({ port: '3550', window: '50', max_per_second: '2.5', dest_ton: '1', dest_npi: '1' }));
    expect(result.ok && result.config).toMatchObject({ port: 3550, window: 50, max_per_second: 2.5, dest_ton: 1, dest_npi: 1 });
  });

  it.each<[string, Partial<LinkFormValues>, string]>([
    ['a missing name', { name: '  ' }, 'name'],
    ['a missing host', { host: '' }, 'host'],
    ['a URL for a host', { host: 'smpp://smsc.example.net' }, 'host'],
    ['port 0', { port: '0' }, 'port'],
    ['port 65536', { port: '65536' }, 'port'],
    ['a fractional port', { port: '2775.5' }, 'port'],
    ['a word for a port', { port: 'smpp' }, 'port'],
    ['a missing system ID', { system_id: '' }, 'system_id'],
    ['a 17-character system ID', { system_id: 'x'.repeat(17) }, 'system_id'],
    ['a 10-character password', { password: 'x'.repeat(10) }, 'password'],
    ['a 14-character system type', { system_type: 'x'.repeat(14) }, 'system_type'],
    ['window 0', { window: '0' }, 'window'],
    ['window 501', { window: '501' }, 'window'],
    ['a negative rate', { max_per_second: '-1' }, 'max_per_second'],
    ['TON 7', { source_ton: '7' }, 'source_ton'],
    ['NPI -2', { dest_npi: '-2' }, 'dest_npi'],
    ['a CA that is not PEM', { tls: true, tls_ca: 'not a certificate' }, 'tls_ca']
  ])('refuses %s', (_name, changes, field) => {
    const result = checkLink(form(changes));
    expect(result.ok).toBe(false);
    expect(!result.ok && Object.keys(result.errors)).toEqual([field]);
  });

  it('accepts the limits: 16-character system ID, 9-character password, 13-character system type', () => {
    expect(checkLink(form({ system_id: 'x'.repeat(16), password: 'x'.repeat(9), system_type: 'x'.repeat(13) })).ok).toBe(true);
  });

  it('accepts a PEM CA with TLS', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    const result = checkLink(form({ tls: true, tls_ca: pem, tls_servername: ' smsc.example.net ' }));
    expect(result.ok && result.config).toMatchObject({ tls: true, tls_ca: pem, tls_servername: 'smsc.example.net' });
  });
});

describe('toLinkForm and pickConfig', () => {
  it('round-trip a stored record without its id or live state', () => {
    const record: SmscLinkRecord = {
      ...LINK_DEFAULTS,
      name: 'Carrier',
      host: 'h',
      system_id: 's',
      port: 2776,
      source_ton: 5,
      id: 'abc',
      state: 'bound',
      last_error: '',
      state_at: '',
      created: '',
      updated: ''
    };
    const values = toLinkForm(record);
    expect(values).toMatchObject({ port: '2776', source_ton: '5', window: '10' });
    expect(values).not.toHaveProperty('id');
    expect(values).not.toHaveProperty('state');
    expect(checkLink(values)).toEqual({ ok: true, config: pickConfig(record) });
  });
});

describe('linkStatus', () => {
  it.each<[boolean, SmscLinkRecord['state'], string, string]>([
    [false, 'bound', 'Disabled', 'off'],
    [false, '', 'Disabled', 'off'],
    [true, '', 'Waiting for the bridge', 'pending'],
    [true, 'disabled', 'Waiting for the bridge', 'pending'],
    [true, 'connecting', 'Connecting', 'pending'],
    [true, 'bound', 'Connected', 'ok'],
    [true, 'down', 'Down', 'bad'],
    [true, 'auth_failed', 'Login refused', 'bad']
  ])('enabled %s, state %j reads %s', (enabled, state, label, tone) => {
    expect(linkStatus({ enabled, state })).toMatchObject({ label, tone });
  });

  it('advises what to check when the login is refused', () => {
    expect(linkStatus({ enabled: true, state: 'auth_failed' }).advice).toMatch(/system ID/);
  });
});

describe('formatSince', () => {
  const now = new Date(2026, 10, 25, 15, 0);
  const server = (d: Date) => d.toISOString().replace('T', ' ');

  it('shows the clock for today', () => {
    expect(formatSince(server(new Date(2026, 10, 25, 14, 5)), now, 'en-GB')).toBe('since 14:05');
  });

  it('adds the day before today, and the year before this year', () => {
    expect(formatSince(server(new Date(2026, 2, 3, 9, 30)), now, 'en-GB')).toBe('since 3 Mar, 9:30');
    expect(formatSince(server(new Date(2025, 2, 3, 9, 30)), now, 'en-GB')).toBe('since 3 Mar 2025, 9:30');
  });

  it('is empty without a valid time', () => {
    expect(formatSince('', now)).toBe('');
    expect(formatSince('nonsense', now)).toBe('');
  });
});

describe('validity and waiting texts', () => {
  it('edits the validity in hours and stores seconds; 24 h by default', () => {
    expect(form().validity_s).toBe('24');
    const result = checkLink(form({ validity_s: '1.5' }));
    expect(result.ok && result.config.validity_s).toBe(5400);
    expect(checkLink(form({ validity_s: '0' }))).toMatchObject({ ok: false, errors: { validity_s: 'A number of hours from 0.01 to 720 (30 days).' } });
  });

  it('says how many texts wait for a down link and since when, and how many are left while it drains', () => {
    const now = new Date('2026-12-01T15:00:00');
    const since = new Date('2026-12-01T12:03:00').toISOString().replace('T', ' ');
    expect(waitingLine({ state: 'down', waiting: 1204, waiting_since: since }, now, 'en-GB')).toBe('1,204 texts waiting since 12:03');
    expect(waitingLine({ state: 'bound', waiting: 1, waiting_since: since }, now, 'en-GB')).toBe('1 text to send');
    expect(waitingLine({ state: 'down', waiting: 0, waiting_since: '' }, now, 'en-GB')).toBe('');
  });
});

describe('GSM gateway profile', () => {
  it('picking GSM gateway fills in its defaults: window 1, 6 per minute, keepalive 5 s, no receipts; the record stores 0.1/s', () => {
    const values = form();
    applyProfile(values, 'gsm_gateway');
    expect(values).toMatchObject({ kind: 'gsm_gateway', window: '1', max_per_second: '6', rate_unit: 'minute', enquire_link_s: '5', receipts: false, bind: 'trx' });
    const result = checkLink(values);
    expect(result.ok && result.config).toMatchObject({
      kind: 'gsm_gateway',
      window: 1,
      max_per_second: 0.1,
      rate_unit: 'minute',
      enquire_link_s: 5,
      enquire_link_timeout_s: 5,
      inactivity_s: 30,
      reconnect_min_s: 2,
      reconnect_max_s: 30,
      receipts: 'none'
    });
    // and back: a stored gateway link edits as 6 per minute
    expect(toLinkForm({ ...LINK_DEFAULTS, ...(result.ok ? result.config : {}) })).toMatchObject({ max_per_second: '6', rate_unit: 'minute', receipts: false });
  });

  it('each setting stays editable: a fractional per-second rate, a shorter keepalive, receipts on with a wait in minutes', () => {
    const values = form();
    applyProfile(values, 'gsm_gateway');
    Object.assign(values, { rate_unit: 'second', max_per_second: '0.5', enquire_link_s: '2.5', receipts: true, receipt_timeout_s: '30' });
    const result = checkLink(values);
    expect(result.ok && result.config).toMatchObject({ max_per_second: 0.5, enquire_link_s: 2.5, receipts: 'expected', receipt_timeout_s: 1800 });
  });

  it.each<[string, Partial<LinkFormValues>, string]>([
    ['an inactivity limit not above the keepalive', { enquire_link_s: '30', inactivity_s: '30' }, 'inactivity_s'],
    ['a zero keepalive', { enquire_link_s: '0' }, 'enquire_link_s'],
    ['a longest reconnect wait below the first', { reconnect_min_s: '10', reconnect_max_s: '5' }, 'reconnect_max_s'],
    ['a negative rate', { max_per_second: '-1' }, 'max_per_second']
  ])('refuses %s', (_name, changes, field) => {
    const result = checkLink(form(changes));
    expect(result.ok).toBe(false);
    expect(!result.ok && Object.keys(result.errors)).toEqual([field]);
  });
});

describe('health', () => {
  const now = new Date('2026-12-01T15:00:00Z');
  const base = { enabled: true, state: 'bound' as const, last_error: '' };

  it('lists bound since, the round trip, reconnects in the last hour and why the last session ended', () => {
    const figures = healthFigures(
      { ...base, bound_since: '2026-12-01 14:05:00.000Z', enquire_rtt_ms: 42, reconnects_1h: 2, last_drop: 'Connection lost: connection closed by the SMSC' },
      now,
      'en-GB'
    );
    expect(figures.map((f) => f.label)).toEqual(['Bound', 'Round trip', 'Reconnects (1 h)', 'Last error']);
    expect(figures[1].value).toBe('42 ms');
    expect(figures[2].value).toBe('2');
    expect(figures[3].value).toBe('Connection lost: connection closed by the SMSC');
    expect(healthFigures({ ...base, enquire_rtt_ms: 0.4 }, now)[0]).toEqual({ label: 'Round trip', value: 'under 1 ms' });
    expect(healthFigures({ ...base, enabled: false }, now)).toEqual([]);
  });

  it('warns about a link that reconnects more than 5 times an hour', () => {
    expect(flapWarning({ enabled: true, reconnects_1h: 5 })).toBe('');
    expect(flapWarning({ enabled: true, reconnects_1h: 6, kind: 'gsm_gateway' })).toMatch(/^Flapping: 6 reconnects in the last hour\. Shorten the keepalive/);
    expect(flapWarning({ enabled: false, reconnects_1h: 60 })).toBe('');
  });

  it('tells when the texts waiting for a rate-limited link will be sent', () => {
    expect(waitingLine({ waiting: 37, waiting_since: '', state: 'bound', max_per_second: 0.1 }, now)).toBe('37 texts to send, done in about 6 min');
  });
});
