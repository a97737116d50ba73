// Caller-name lookup as the admin settings page configures it: the
// provider (its secret header value never comes back, only whether one is
// set), Save, and Test, which shows the provider's raw answer.
import { pb } from '$lib/api/pb';

/** CallerNameProvider is the provider configuration as the server shows it. */
export interface CallerNameProvider {
  url: string;
  header_name: string;
  /** always '' from the server; a new value to set, or '' to keep the stored one */
  header_value: string;
  header_value_set?: boolean;
  name_path: string;
  label: string;
  ttl_days: number;
  per_minute: number;
  timeout_s: number;
}

/** ProviderTest is the provider's answer to a Test. */
export type ProviderTest = { ok: boolean; status: number; raw: string; name?: string; error?: string };

export const EMPTY_PROVIDER: CallerNameProvider = { url: '', header_name: '', header_value: '', name_path: 'name', label: '', ttl_days: 30, per_minute: 20, timeout_s: 5 };

/** CallerNamesState holds the provider configuration as `.current` (null until loaded). */
export class CallerNamesState {
  current = $state<CallerNameProvider | null>(null);

  /** load reads the configuration (admins only). */
  async load(): Promise<CallerNameProvider> {
    const p = await pb.send<Partial<CallerNameProvider>>('/api/caller-names/provider', {});
    this.current = { ...EMPTY_PROVIDER, ...p };
    return this.current;
  }

  /** save stores the configuration; an empty URL switches lookup off. Throws the API error. */
  async save(p: CallerNameProvider): Promise<void> {
    const saved = await pb.send<Partial<CallerNameProvider>>('/api/caller-names/provider', { method: 'POST', body: p });
    this.current = { ...EMPTY_PROVIDER, ...saved };
  }

  /** test asks the provider (as configured in the form, saved or not) about a number. Throws the API error. */
  test(p: CallerNameProvider, number: string): Promise<ProviderTest> {
    return pb.send<ProviderTest>('/api/caller-names/test', { method: 'POST', body: { ...p, number } });
  }
}

/** lookupCallerName asks for a number's caller name now (the conversation header's "Look up"). */
export function lookupCallerName(phone: string): Promise<{ name: string; source: string; error: string }> {
  return pb.send('/api/caller-names/lookup', { method: 'POST', body: { phone } });
}
