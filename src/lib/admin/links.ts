// Pure helpers of the admin page for SMSC links: defaults of a new link, the
// form's values checked and turned into a record, and the live state in words.
import type { LinkConfig, SmscLinkRecord } from '../api/types';

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
  validity_s: 86_400
};

/** NUMERIC_FIELDS are the link fields the form edits as text (validity_s in hours). */
const NUMERIC_FIELDS = ['port', 'window', 'max_per_second', 'source_ton', 'source_npi', 'dest_ton', 'dest_npi', 'validity_s'] as const;
type NumericField = (typeof NUMERIC_FIELDS)[number];

/** LinkFormValues is a link as the form edits it: numbers as the text in their inputs. */
export type LinkFormValues = Omit<LinkConfig, NumericField> & Record<NumericField, string>;

/** LinkCheck is the outcome of checkLink. */
export type LinkCheck = { ok: true; config: LinkConfig } | { ok: false; errors: Record<string, string> };

/** toLinkForm turns a stored link (or the defaults) into form values. */
export function toLinkForm(link: LinkConfig): LinkFormValues {
  const values = { ...pickConfig(link) } as unknown as LinkFormValues;
  for (const f of NUMERIC_FIELDS) values[f] = String(link[f] ?? LINK_DEFAULTS[f]);
  // validity is edited in hours; an unset one reads as the default
  values.validity_s = String(Math.round(((link.validity_s || LINK_DEFAULTS.validity_s) / 3600) * 100) / 100);
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
  const rate = readNumber(values.max_per_second, 0, 10000);
  if (rate === null) errors.max_per_second = 'A number from 0 (no limit) to 10000.';
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
      validity_s: Math.max(1, Math.round(validityHours! * 3600))
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
export function waitingLine(link: Pick<SmscLinkRecord, 'waiting' | 'waiting_since' | 'state'>, now: Date, locale?: string): string {
  const n = link.waiting ?? 0;
  if (n <= 0) return '';
  const count = `${n.toLocaleString(locale)} ${n === 1 ? 'text' : 'texts'}`;
  if (link.state === 'bound') return `${count} to send`;
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
