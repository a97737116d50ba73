// Pure helpers of the admin page for SMSC links: defaults of a new link, the
// form's values checked and turned into a record, and the live state in words.
import type { LinkConfig, SmscLinkRecord } from '../api/types';
import { LINK_PROFILES, drainEtaMs, formatSpan, isFlapping, linkKind, type LinkKind } from '../domain/smsc-link';

/** LINK_DEFAULTS is a new link: port 2775, one transceiver bind, window 10, everything detected. */
export const LINK_DEFAULTS: Readonly<LinkConfig> = {
  name: '',
  host: '',
  port: 2775,
  tls: false,
  tls_ca: '',
  tls_servername: '',
  system_id: '',
  password: '',
  system_type: '',
  bind: 'trx',
  window: 10,
  max_per_second: 0,
  enabled: true,
  ref16: false,
  id_format: 'auto',
  default_alphabet: 'GSM7',
  source_ton: -1,
  source_npi: -1,
  dest_ton: -1,
  dest_npi: -1,
  validity_s: 86_400,
  kind: 'carrier',
  enquire_link_s: LINK_PROFILES.carrier.enquire_link_s,
  enquire_link_timeout_s: LINK_PROFILES.carrier.enquire_link_timeout_s,
  inactivity_s: LINK_PROFILES.carrier.inactivity_s,
  reconnect_min_s: LINK_PROFILES.carrier.reconnect_min_s,
  reconnect_max_s: LINK_PROFILES.carrier.reconnect_max_s,
  receipts: 'expected',
  receipt_timeout_s: LINK_PROFILES.carrier.receipt_timeout_s,
  rate_unit: 'second'
};

/** KIND_OPTIONS are the kinds of link the form offers. */
export const KIND_OPTIONS = [
  { value: 'carrier', label: LINK_PROFILES.carrier.label },
  { value: 'gsm_gateway', label: LINK_PROFILES.gsm_gateway.label }
] as const;

/** NUMERIC_FIELDS are the link fields the form edits as text (validity_s in hours, receipt_timeout_s in minutes, max_per_second in rate_unit). */
const NUMERIC_FIELDS = [
  'port',
  'window',
  'max_per_second',
  'source_ton',
  'source_npi',
  'dest_ton',
  'dest_npi',
  'validity_s',
  'enquire_link_s',
  'enquire_link_timeout_s',
  'inactivity_s',
  'reconnect_min_s',
  'reconnect_max_s',
  'receipt_timeout_s'
] as const;
type NumericField = (typeof NUMERIC_FIELDS)[number];

/** LinkFormValues is a link as the form edits it: numbers as the text in their inputs, receipts as a checkbox. */
export type LinkFormValues = Omit<LinkConfig, NumericField | 'receipts'> & Record<NumericField, string> & { receipts: boolean };

const round = (n: number, places = 4) => Math.round(n * 10 ** places) / 10 ** places;

/**
 * applyProfile fills the form with a kind's defaults (the admin picked a
 * kind): window, rate, bind, keepalive, reconnect and receipts. The
 * connection details stay as typed.
 */
export function applyProfile(values: LinkFormValues, kind: LinkKind): void {
  const p = LINK_PROFILES[kind];
  values.kind = kind;
  values.bind = p.bind;
  values.window = String(p.window);
  values.rate_unit = p.rate_unit;
  values.max_per_second = String(round(p.rate_unit === 'minute' ? p.max_per_second * 60 : p.max_per_second));
  values.enquire_link_s = String(p.enquire_link_s);
  values.enquire_link_timeout_s = String(p.enquire_link_timeout_s);
  values.inactivity_s = String(p.inactivity_s);
  values.reconnect_min_s = String(p.reconnect_min_s);
  values.reconnect_max_s = String(p.reconnect_max_s);
  values.receipts = p.receipts === 'expected';
  values.receipt_timeout_s = String(round(p.receipt_timeout_s / 60, 2));
}

/** LinkCheck is the outcome of checkLink. */
export type LinkCheck = { ok: true; config: LinkConfig } | { ok: false; errors: Record<string, string> };

/** toLinkForm turns a stored link (or the defaults) into form values. */
export function toLinkForm(link: LinkConfig): LinkFormValues {
  const values = { ...pickConfig(link) } as unknown as LinkFormValues;
  const kind = linkKind(link.kind);
  const p = LINK_PROFILES[kind];
  values.kind = kind;
  for (const f of NUMERIC_FIELDS) values[f] = String(link[f] ?? LINK_DEFAULTS[f]);
  // validity is edited in hours; an unset one reads as the default
  values.validity_s = String(Math.round(((link.validity_s || LINK_DEFAULTS.validity_s) / 3600) * 100) / 100);
  // settings left at 0 read as the kind's defaults, shown as such
  for (const f of ['enquire_link_s', 'enquire_link_timeout_s', 'inactivity_s', 'reconnect_min_s', 'reconnect_max_s'] as const) {
    values[f] = String(link[f] || p[f]);
  }
  values.rate_unit = link.rate_unit === 'minute' ? 'minute' : 'second';
  values.max_per_second = String(round(values.rate_unit === 'minute' ? (link.max_per_second ?? 0) * 60 : (link.max_per_second ?? 0)));
  values.receipts = (link.receipts || p.receipts) === 'expected';
  values.receipt_timeout_s = String(round((link.receipt_timeout_s || p.receipt_timeout_s) / 60, 2));
  return values;
}

/** pickConfig copies the configuration fields of a link, leaving its id and live state. */
export function pickConfig(link: LinkConfig): LinkConfig {
  const config = {} as Record<string, unknown>;
  for (const key of Object.keys(LINK_DEFAULTS) as (keyof LinkConfig)[]) config[key] = link[key] ?? LINK_DEFAULTS[key];
  return config as unknown as LinkConfig;
}

/** checkLink validates the form with the limits the schema and SMPP set, and
 * builds the record to save; messages are keyed by field. */
export function checkLink(values: LinkFormValues): LinkCheck {
  const errors: Record<string, string> = {};
  const text = (v: string) => v.trim();
  const name = text(values.name);
  const host = text(values.host);
  const systemId = text(values.system_id);
  const systemType = text(values.system_type);
  const tlsCa = text(values.tls_ca);

  if (!name) errors.name = 'Enter a name, e.g. the carrier.';
  else if (name.length > 80) errors.name = 'At most 80 characters.';
  if (!host) errors.host = 'Enter the host name or IP address of the SMSC.';
  else if (/\s/.test(host) || host.includes('://')) errors.host = 'Only the host name or IP address, without spaces or "smpp://".';
  if (!systemId) errors.system_id = 'Enter the system ID your carrier gave you.';
  else if (systemId.length > 16) errors.system_id = 'SMPP allows at most 16 characters.';
  if (values.password.length > 9) errors.password = 'SMPP allows at most 9 characters.';
  if (systemType.length > 13) errors.system_type = 'SMPP allows at most 13 characters.';
  if (values.tls && tlsCa && !tlsCa.includes('-----BEGIN CERTIFICATE-----')) {
    errors.tls_ca = 'Paste the certificate in PEM form, starting with -----BEGIN CERTIFICATE-----.';
  }

  const port = readInt(values.port, 1, 65535);
  if (port === null) errors.port = 'A whole number from 1 to 65535.';
  const window = readInt(values.window, 1, 500);
  if (window === null) errors.window = 'A whole number from 1 to 500.';
  const perUnit = values.rate_unit === 'minute' ? 60 : 1;
  const rateIn = readNumber(values.max_per_second, 0, 10000 * perUnit);
  const rate = rateIn === null ? null : rateIn / perUnit;
  if (rate === null) errors.max_per_second = `A number from 0 (no limit) to ${(10000 * perUnit).toLocaleString('en')}; fractions are fine (0.5).`;
  const timings = {
    enquire_link_s: readNumber(values.enquire_link_s, 0.1, 3600),
    enquire_link_timeout_s: readNumber(values.enquire_link_timeout_s, 0.1, 600),
    inactivity_s: readNumber(values.inactivity_s, 0.1, 86400),
    reconnect_min_s: readNumber(values.reconnect_min_s, 0.1, 3600),
    reconnect_max_s: readNumber(values.reconnect_max_s, 0.1, 86400)
  };
  if (timings.enquire_link_s === null) errors.enquire_link_s = 'Seconds, from 0.1 to 3600.';
  if (timings.enquire_link_timeout_s === null) errors.enquire_link_timeout_s = 'Seconds, from 0.1 to 600.';
  if (timings.inactivity_s === null) errors.inactivity_s = 'Seconds, from 0.1 to 86400.';
  else if (timings.enquire_link_s !== null && timings.inactivity_s <= timings.enquire_link_s) {
    errors.inactivity_s = 'Longer than the keepalive interval, or every quiet spell ends the connection.';
  }
  if (timings.reconnect_min_s === null) errors.reconnect_min_s = 'Seconds, from 0.1 to 3600.';
  if (timings.reconnect_max_s === null) errors.reconnect_max_s = 'Seconds, from 0.1 to 86400.';
  else if (timings.reconnect_min_s !== null && timings.reconnect_max_s < timings.reconnect_min_s) {
    errors.reconnect_max_s = 'At least the first wait.';
  }
  const receiptMinutes = readNumber(values.receipt_timeout_s, 0.01, 43200);
  if (receiptMinutes === null) errors.receipt_timeout_s = 'Minutes, from 0.01 to 43200 (30 days).';
  const tonNpi = {
    source_ton: readInt(values.source_ton, -1, 6),
    source_npi: readInt(values.source_npi, -1, 18),
    dest_ton: readInt(values.dest_ton, -1, 6),
    dest_npi: readInt(values.dest_npi, -1, 18)
  };
  for (const [field, value] of Object.entries(tonNpi)) if (value === null) errors[field] = 'Choose a value from the list.';
  const validityHours = readNumber(values.validity_s, 0.01, 720);
  if (validityHours === null) errors.validity_s = 'A number of hours from 0.01 to 720 (30 days).';

  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    config: {
      name,
      host,
      port: port!,
      tls: values.tls,
      tls_ca: tlsCa,
      tls_servername: text(values.tls_servername),
      system_id: systemId,
      password: values.password,
      system_type: systemType,
      bind: values.bind,
      window: window!,
      max_per_second: rate!,
      enabled: values.enabled,
      ref16: values.ref16,
      id_format: values.id_format,
      default_alphabet: values.default_alphabet,
      source_ton: tonNpi.source_ton!,
      source_npi: tonNpi.source_npi!,
      dest_ton: tonNpi.dest_ton!,
      dest_npi: tonNpi.dest_npi!,
      validity_s: Math.max(1, Math.round(validityHours! * 3600)),
      kind: linkKind(values.kind),
      enquire_link_s: timings.enquire_link_s!,
      enquire_link_timeout_s: timings.enquire_link_timeout_s!,
      inactivity_s: timings.inactivity_s!,
      reconnect_min_s: timings.reconnect_min_s!,
      reconnect_max_s: timings.reconnect_max_s!,
      receipts: values.receipts ? 'expected' : 'none',
      receipt_timeout_s: round(receiptMinutes! * 60, 3),
      rate_unit: values.rate_unit === 'minute' ? 'minute' : 'second'
    }
  };
}

function readNumber(value: string, min: number, max: number): number | null {
  const v = value.trim();
  if (!/^-?\d+(\.\d+)?$/.test(v)) return null;
  const n = Number(v);
  return n >= min && n <= max ? n : null;
}

function readInt(value: string, min: number, max: number): number | null {
  const n = readNumber(value, min, max);
  return n !== null && Number.isInteger(n) ? n : null;
}

/** LinkTone is how a link's state is coloured: working, on its way, failing, switched off. */
export type LinkTone = 'ok' | 'pending' | 'bad' | 'off';

/** LinkStatus is a link's state in words. */
export interface LinkStatus {
  label: string;
  tone: LinkTone;
  /** what the admin can do about it; empty when nothing */
  advice: string;
}

/** linkStatus says what a link is doing; a disabled link reads Disabled
 * whatever the bridge last wrote. */
export function linkStatus(link: Pick<SmscLinkRecord, 'enabled' | 'state'>): LinkStatus {
  if (!link.enabled) return { label: 'Disabled', tone: 'off', advice: '' };
  switch (link.state) {
    case 'bound':
      return { label: 'Connected', tone: 'ok', advice: '' };
    case 'connecting':
      return { label: 'Connecting', tone: 'pending', advice: '' };
    case 'down':
      return { label: 'Down', tone: 'bad', advice: 'The bridge keeps retrying. Check the host, port and TLS settings.' };
    case 'auth_failed':
      return { label: 'Login refused', tone: 'bad', advice: 'Check the system ID, password and system type.' };
    default:
      // enabled, but the bridge has not picked it up yet (or is not running)
      return { label: 'Waiting for the bridge', tone: 'pending', advice: '' };
  }
}

/** formatSince says when a state began: "since 14:05" today, "since 3 Mar, 14:05" before; empty without a time. */
export function formatSince(value: string, now: Date, locale?: string): string {
  if (!value) return '';
  const date = new Date(value.replace(' ', 'T'));
  if (Number.isNaN(date.getTime())) return '';
  const clock = date.toLocaleTimeString(locale, { hour: 'numeric', minute: '2-digit' });
  const sameDay = date.toDateString() === now.toDateString();
  if (sameDay) return `since ${clock}`;
  const day = date.toLocaleDateString(locale, {
    day: 'numeric',
    month: 'short',
    year: date.getFullYear() === now.getFullYear() ? undefined : 'numeric'
  });
  return `since ${day}, ${clock}`;
}

/**
 * waitingLine says how many texts wait for a link and since when: "1,204
 * texts waiting since 12:03" while it is down, "1,204 texts to send" while a
 * backlog drains; '' when none wait.
 */
export function waitingLine(
  link: Pick<SmscLinkRecord, 'waiting' | 'waiting_since' | 'state'> & Partial<Pick<SmscLinkRecord, 'max_per_second'>>,
  now: Date,
  locale?: string
): string {
  const n = link.waiting ?? 0;
  if (n <= 0) return '';
  const count = `${n.toLocaleString(locale)} ${n === 1 ? 'text' : 'texts'}`;
  if (link.state === 'bound') {
    // a rate-limited link drains at its rate: one submit per text (long ones take one per part)
    const eta = drainEtaMs(n, link.max_per_second ?? 0);
    return eta ? `${count} to send, done in about ${formatSpan(eta)}` : `${count} to send`;
  }
  const since = formatSince(link.waiting_since ?? '', now, locale);
  return `${count} waiting${since ? ` ${since}` : ''}`;
}

/** TON_OPTIONS and NPI_OPTIONS are the SMPP type-of-number and numbering-plan values, with Auto (-1) first. */
export const TON_OPTIONS = [
  { value: '-1', label: 'Auto (from the number)' },
  { value: '0', label: '0 · Unknown' },
  { value: '1', label: '1 · International' },
  { value: '2', label: '2 · National' },
  { value: '3', label: '3 · Network specific' },
  { value: '4', label: '4 · Subscriber number' },
  { value: '5', label: '5 · Alphanumeric' },
  { value: '6', label: '6 · Abbreviated' }
] as const;

export const NPI_OPTIONS = [
  { value: '-1', label: 'Auto (from the number)' },
  { value: '0', label: '0 · Unknown' },
  { value: '1', label: '1 · ISDN (E.164)' },
  { value: '3', label: '3 · Data (X.121)' },
  { value: '4', label: '4 · Telex' },
  { value: '6', label: '6 · Land mobile' },
  { value: '8', label: '8 · National' },
  { value: '9', label: '9 · Private' },
  { value: '10', label: '10 · ERMES' },
  { value: '14', label: '14 · Internet (IP)' },
  { value: '18', label: '18 · WAP client id' }
] as const;

/** HealthFigure is one labelled figure of a link's health. */
export interface HealthFigure {
  label: string;
  value: string;
}

/**
 * healthFigures lists what the bridge measured on a link: bound since, the
 * last enquire_link round trip, reconnects in the last hour and why the last
 * session ended (or the error now). Figures the bridge has not written are
 * left out; a disabled link has none.
 */
export function healthFigures(
  link: Pick<SmscLinkRecord, 'enabled' | 'state' | 'last_error'> &
    Partial<Pick<SmscLinkRecord, 'bound_since' | 'enquire_rtt_ms' | 'reconnects_1h' | 'last_drop'>>,
  now: Date,
  locale?: string
): HealthFigure[] {
  if (!link.enabled) return [];
  const out: HealthFigure[] = [];
  if (link.state === 'bound' && link.bound_since) {
    out.push({ label: 'Bound', value: formatSince(link.bound_since, now, locale) });
  }
  if (link.state === 'bound' && typeof link.enquire_rtt_ms === 'number' && link.enquire_rtt_ms > 0) {
    const rtt = link.enquire_rtt_ms;
    out.push({ label: 'Round trip', value: rtt < 1 ? 'under 1 ms' : `${Math.round(rtt).toLocaleString(locale)} ms` });
  }
  out.push({ label: 'Reconnects (1 h)', value: String(link.reconnects_1h ?? 0) });
  // while the link is not bound the state badge shows the error of now: only an earlier drop is added
  const lastError = link.state === 'bound' || link.last_drop !== link.last_error ? link.last_drop : '';
  if (lastError) out.push({ label: 'Last error', value: lastError });
  return out;
}

/** flapWarning is the warning of a link that reconnects too often, '' otherwise. */
export function flapWarning(link: Pick<SmscLinkRecord, 'enabled'> & Partial<Pick<SmscLinkRecord, 'reconnects_1h' | 'kind'>>): string {
  if (!link.enabled || !isFlapping(link.reconnects_1h)) return '';
  const advice =
    link.kind === 'gsm_gateway'
      ? 'Shorten the keepalive interval (Advanced) below the gateway\'s idle timeout, or check its power and signal.'
      : 'Check the network path and ask the carrier whether it drops the session.';
  return `Flapping: ${link.reconnects_1h} reconnects in the last hour. ${advice}`;
}
