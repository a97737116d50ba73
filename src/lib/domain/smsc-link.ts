// What an `smsc_links` record configures and the live state the bridge
// writes on it: one definition for the admin UI and the bridge.

/** LinkSettings is what an admin configures on an SMSC link. */
export interface LinkSettings {
  name: string;
  host: string;
  port: number;
  tls: boolean;
  /** PEM certificate(s) to trust instead of the system's; empty for the system's */
  tls_ca: string;
  /** name to check on the certificate; empty for host */
  tls_servername: string;
  system_id: string;
  password: string;
  system_type: string;
  bind: 'trx' | 'tx_rx';
  window: number;
  /** submit_sm per second; 0 means no limit */
  max_per_second: number;
  enabled: boolean;
  ref16: boolean;
  /** how submit_sm_resp ids relate to receipt ids */
  id_format: 'auto' | 'raw' | 'hex' | 'decimal';
  /** what data_coding 0 means on inbound texts */
  default_alphabet: 'GSM7' | 'IA5' | 'LATIN1';
  /** -1 means the bridge decides from the address */
  source_ton: number;
  source_npi: number;
  dest_ton: number;
  dest_npi: number;
  /** seconds a text may wait for this link (down, disabled) before it fails as expired; 0 reads as the default */
  validity_s: number;
  /** what is at the other end: a carrier's SMSC or a GSM modem gateway; decides the defaults of the settings below */
  kind: LinkKind;
  /** seconds without traffic before the bridge sends enquire_link; 0 reads as the kind's default */
  enquire_link_s: number;
  /** seconds to wait for enquire_link_resp before the session counts as dead; 0: the kind's default */
  enquire_link_timeout_s: number;
  /** seconds without anything received before the session is closed and rebound; 0: the kind's default */
  inactivity_s: number;
  /** first and longest wait between reconnect attempts, in seconds; 0: the kind's default */
  reconnect_min_s: number;
  reconnect_max_s: number;
  /** whether the SMSC sends delivery receipts ('none' makes `sent` final, registered_delivery 0); '' is the kind's default */
  receipts: ReceiptsSetting;
  /** seconds after `sent` without a receipt before the delivery says "No delivery report"; 0: the kind's default */
  receipt_timeout_s: number;
  /** how the admin page shows the rate (max_per_second is stored either way) */
  rate_unit: RateUnit;
}

/** LinkKind is what an SMSC link connects to. */
export type LinkKind = 'carrier' | 'gsm_gateway';

/** ReceiptsSetting says whether a link's SMSC sends delivery receipts; '' reads as the kind's default. */
export type ReceiptsSetting = '' | 'expected' | 'none';

/** RateUnit is the unit the rate limit is shown in. */
export type RateUnit = 'second' | 'minute';

/** LinkProfile is the settings a kind of link starts with; each stays editable. */
export interface LinkProfile {
  label: string;
  bind: 'trx' | 'tx_rx';
  window: number;
  max_per_second: number;
  rate_unit: RateUnit;
  enquire_link_s: number;
  enquire_link_timeout_s: number;
  inactivity_s: number;
  reconnect_min_s: number;
  reconnect_max_s: number;
  receipts: 'expected' | 'none';
  receipt_timeout_s: number;
}

/**
 * LINK_PROFILES are the starting settings per kind. A carrier SMSC takes a
 * wide window at its contracted rate, keeps quiet sessions for minutes and
 * sends receipts. A GSM gateway (GoIP, Synway, Dinstar, Yeastar) sends a few
 * texts a minute per SIM through one modem (window 1, 6 per minute), drops a
 * session that is quiet for 10–30 s (enquire_link every 5 s), binds
 * transceiver only, and often sends no receipts.
 */
export const LINK_PROFILES: Readonly<Record<LinkKind, Readonly<LinkProfile>>> = {
  carrier: {
    label: 'Carrier SMSC',
    bind: 'trx',
    window: 10,
    max_per_second: 0,
    rate_unit: 'second',
    enquire_link_s: 30,
    enquire_link_timeout_s: 10,
    inactivity_s: 90,
    reconnect_min_s: 1,
    reconnect_max_s: 60,
    receipts: 'expected',
    receipt_timeout_s: 48 * 3600,
  },
  gsm_gateway: {
    label: 'GSM gateway',
    bind: 'trx',
    window: 1,
    max_per_second: 0.1,
    rate_unit: 'minute',
    enquire_link_s: 5,
    enquire_link_timeout_s: 5,
    inactivity_s: 30,
    reconnect_min_s: 2,
    reconnect_max_s: 30,
    receipts: 'none',
    receipt_timeout_s: 3600,
  },
};

/** linkKind reads a stored kind; anything else is a carrier. */
export function linkKind(v: unknown): LinkKind {
  return v === 'gsm_gateway' ? 'gsm_gateway' : 'carrier';
}

/** LinkTimings are a link's keepalive and reconnect timings, in milliseconds. */
export interface LinkTimings {
  enquireLinkMs: number;
  enquireLinkTimeoutMs: number;
  inactivityMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
}

type TimingFields = 'kind' | 'enquire_link_s' | 'enquire_link_timeout_s' | 'inactivity_s' | 'reconnect_min_s' | 'reconnect_max_s';

/**
 * linkTimings resolves a link's timings: each setting as the admin set it,
 * else its kind's default. With `explicitOnly` it returns only the settings
 * the admin set (the bridge lays those over its own defaults).
 */
export function linkTimings(link: Partial<Pick<LinkSettings, TimingFields>>, explicitOnly = false): Partial<LinkTimings> {
  const p = LINK_PROFILES[linkKind(link.kind)];
  const pick = (v: number | undefined, d: number) => (typeof v === 'number' && v > 0 ? v * 1000 : explicitOnly ? undefined : d * 1000);
  const t: Partial<LinkTimings> = {
    enquireLinkMs: pick(link.enquire_link_s, p.enquire_link_s),
    enquireLinkTimeoutMs: pick(link.enquire_link_timeout_s, p.enquire_link_timeout_s),
    inactivityMs: pick(link.inactivity_s, p.inactivity_s),
    reconnectMinMs: pick(link.reconnect_min_s, p.reconnect_min_s),
    reconnectMaxMs: pick(link.reconnect_max_s, p.reconnect_max_s),
  };
  for (const k of Object.keys(t) as (keyof LinkTimings)[]) if (t[k] === undefined) delete t[k];
  return t;
}

/** receiptsExpected says whether a link's SMSC sends receipts: as set, else as its kind does. */
export function receiptsExpected(link: Partial<Pick<LinkSettings, 'kind' | 'receipts'>>): boolean {
  const r = link.receipts || LINK_PROFILES[linkKind(link.kind)].receipts;
  return r !== 'none';
}

/** receiptTimeoutMs is how long a `sent` text waits for its receipt before it says none came. */
export function receiptTimeoutMs(link: Partial<Pick<LinkSettings, 'kind' | 'receipt_timeout_s'>>): number {
  const s = link.receipt_timeout_s && link.receipt_timeout_s > 0 ? link.receipt_timeout_s : LINK_PROFILES[linkKind(link.kind)].receipt_timeout_s;
  return s * 1000;
}

/** FLAP_RECONNECTS_PER_HOUR: a link that reconnected more often than this in the last hour is flapping. */
export const FLAP_RECONNECTS_PER_HOUR = 5;

/** isFlapping says whether a link's reconnects in the last hour make it a flapping link. */
export function isFlapping(reconnects1h: number | undefined): boolean {
  return (reconnects1h ?? 0) > FLAP_RECONNECTS_PER_HOUR;
}

/**
 * drainEtaMs is how long a link needs for `waiting` texts at its rate, one
 * submit each (long texts take one per part): null without a rate limit.
 */
export function drainEtaMs(waiting: number, maxPerSecond: number): number | null {
  if (!(maxPerSecond > 0) || waiting <= 0) return waiting <= 0 ? 0 : null;
  return (waiting / maxPerSecond) * 1000;
}

/** formatRate says a rate the way the admin set it: "6 per minute", "0.5 per second", "no limit". */
export function formatRate(maxPerSecond: number, unit: RateUnit): string {
  if (!(maxPerSecond > 0)) return 'no limit';
  const v = unit === 'minute' ? maxPerSecond * 60 : maxPerSecond;
  return `${Math.round(v * 1000) / 1000} per ${unit}`;
}

/** DeliveryReport is deliveries.report: whether a receipt is awaited for a `sent` text, not expected, or overdue. */
export type DeliveryReport = '' | 'awaited' | 'not_expected' | 'missing';

/** NO_REPORT is what a text says when its receipt is overdue. */
export const NO_REPORT = 'No delivery report from the network';

/** queuePlaceLabel is a waiting text's status: "Queued: 37 ahead", "Queued: next". */
export function queuePlaceLabel(ahead: number): string {
  return ahead <= 0 ? 'Queued: next' : `Queued: ${ahead.toLocaleString('en')} ahead`;
}

/** DEFAULT_VALIDITY_S is a link's validity when the admin has not set one: 24 h. */
export const DEFAULT_VALIDITY_S = 86_400;

/** validityMs is how long a text may wait for a link, in milliseconds. */
export function validityMs(link: Pick<LinkSettings, 'validity_s'>): number {
  return (link.validity_s > 0 ? link.validity_s : DEFAULT_VALIDITY_S) * 1000;
}

/** formatSpan says a duration the way the status lines do: "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function formatSpan(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** LinkStateValue is the live state the bridge writes on a link. */
export type LinkStateValue = 'disabled' | 'connecting' | 'bound' | 'down' | 'auth_failed';
