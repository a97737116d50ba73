// The appliance's one settings row: the alert tone everybody hears and the
// default country for reading phone numbers. Everyone reads it; admins save it.
import { pb } from '$lib/api/pb';
import type { SettingsRecord } from '$lib/api/types';

/** SettingsChanges is what the admin settings page edits. */
export type SettingsChanges = Pick<SettingsRecord, 'alert_tone' | 'default_country' | 'stop_reply' | 'start_reply' | 'help_reply'> & Partial<Pick<SettingsRecord, 'time_zone'>>;

/** FileSettings is what the admin's Files section edits (docs/attachments.md). */
export type FileSettings = Pick<SettingsRecord, 'attachment_max_mb' | 'attachment_types' | 'public_url' | 'public_link_days'>;

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
    const { alert_tone, default_country, stop_reply, start_reply, help_reply, time_zone } = changes;
    const record = await pb.collection('settings').update<SettingsRecord>(id, { alert_tone, default_country, stop_reply, start_reply, help_reply, time_zone });
    this.current = record;
    return record;
  }

  /** saveFiles changes the limits on files and the public address (admins only). */
  async saveFiles(changes: FileSettings): Promise<SettingsRecord> {
    const id = this.current?.id ?? (await this.load()).id;
    const { attachment_max_mb, attachment_types, public_url, public_link_days } = changes;
    const record = await pb.collection('settings').update<SettingsRecord>(id, { attachment_max_mb, attachment_types, public_url, public_link_days });
    this.current = record;
    return record;
  }

  /** purgeFiles deletes the files sent more than `days` days ago, leaving "file removed" in their place; resolves with how many. */
  async purgeFiles(days: number): Promise<number> {
    const { removed } = await pb.send<{ removed: number }>('/api/attachments/purge', { method: 'POST', body: { days } });
    return removed;
  }
}

/** settings is the app-wide settings row. */
export const settings = new SettingsState();
