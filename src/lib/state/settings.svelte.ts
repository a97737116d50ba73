// The appliance's one settings row: the alert tone everybody hears and the
// default country for reading phone numbers. Everyone reads it; admins save it.
import { pb } from '$lib/api/pb';
import type { SettingsRecord } from '$lib/api/types';

/** SettingsChanges is what the admin settings page edits. */
export type SettingsChanges = Pick<SettingsRecord, 'alert_tone' | 'default_country' | 'stop_reply' | 'start_reply' | 'help_reply'>;

/** SettingsState holds the settings row as `.current` (null until loaded). */
export class SettingsState {
  current = $state<SettingsRecord | null>(null);

  /** load fetches the settings row. */
  async load(): Promise<SettingsRecord> {
    const record = await pb.collection('settings').getFirstListItem<SettingsRecord>('');
    this.current = record;
    return record;
  }

  /** save changes the settings (admins only); throws the SDK error on failure. */
  async save(changes: SettingsChanges): Promise<SettingsRecord> {
    const id = this.current?.id ?? (await this.load()).id;
    const { alert_tone, default_country, stop_reply, start_reply, help_reply } = changes;
    const record = await pb.collection('settings').update<SettingsRecord>(id, { alert_tone, default_country, stop_reply, start_reply, help_reply });
    this.current = record;
    return record;
  }
}

/** settings is the app-wide settings row. */
export const settings = new SettingsState();
