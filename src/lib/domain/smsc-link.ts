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
}

/** LinkStateValue is the live state the bridge writes on a link. */
export type LinkStateValue = 'disabled' | 'connecting' | 'bound' | 'down' | 'auth_failed';
