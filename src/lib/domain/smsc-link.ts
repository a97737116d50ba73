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
