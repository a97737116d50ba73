// Backups for administrators, through the appliance's /api/appliance/backups
// routes: the list and the schedule as `.current`, and the actions the
// Backups page and the schedule form offer. A restore restarts the server:
// restore() resolves once it answers again.
import { pb } from '$lib/api/pb';
import type { BackupSchedule } from '$lib/admin/backups';

/** BackupFile is one zip in the data dir's backups folder. */
export interface BackupFile {
  key: string;
  size: number;
  modified: string;
}

interface Listing {
  backups: BackupFile[];
  schedule: BackupSchedule;
  busy: boolean;
}

const ROUTE = '/api/appliance/backups';

/** BackupsState holds the backups and the schedule (null until loaded). */
export class BackupsState {
  current = $state<BackupFile[]>([]);
  schedule = $state<BackupSchedule | null>(null);
  /** busy is true while a backup or restore runs on the server */
  busy = $state(false);

  /** load fetches the list and the schedule. */
  async load(): Promise<void> {
    const listing = await pb.send<Listing>(ROUTE, { requestKey: null });
    this.current = listing.backups;
    this.schedule = listing.schedule;
    this.busy = listing.busy;
  }

  /** create makes a backup now and returns its name. */
  async create(): Promise<string> {
    const { key } = await pb.send<{ key: string }>(ROUTE, { method: 'POST' });
    await this.load();
    return key;
  }

  /** upload keeps a backup file from another box, after the server has checked it. */
  async upload(file: File): Promise<string> {
    const form = new FormData();
    form.append('file', file, file.name);
    const { key } = await pb.send<{ key: string }>(`${ROUTE}/upload`, { method: 'POST', body: form });
    await this.load();
    return key;
  }

  /** download saves a backup file in the browser. */
  async download(key: string): Promise<void> {
    const res = await fetch(pb.buildURL(`${ROUTE}/${encodeURIComponent(key)}`), {
      headers: { Authorization: pb.authStore.token }
    });
    if (!res.ok) throw new Error(`The download failed (${res.status}).`);
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = key;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  /** remove deletes a backup file. */
  async remove(key: string): Promise<void> {
    await pb.send(`${ROUTE}/${encodeURIComponent(key)}`, { method: 'DELETE' });
    await this.load();
  }

  /**
   * restore replaces all data with a backup's. The server saves the current
   * data first (the name is returned) and restarts; this resolves once it
   * answers again.
   */
  async restore(key: string): Promise<string> {
    const { saved_as } = await pb.send<{ saved_as: string }>(`${ROUTE}/${encodeURIComponent(key)}/restore`, { method: 'POST' });
    // the server goes away for a moment, then comes back on the restored data
    await new Promise((ok) => setTimeout(ok, 1500));
    for (let i = 0; i < 120; i++) {
      if (await pb.health.check({ requestKey: null }).then(() => true, () => false)) break;
      await new Promise((ok) => setTimeout(ok, 500));
    }
    return saved_as;
  }

  /** saveSchedule changes when scheduled backups run and how many stay. */
  async saveSchedule(schedule: BackupSchedule): Promise<void> {
    this.schedule = await pb.send<BackupSchedule>(`${ROUTE}/schedule`, { method: 'PUT', body: schedule });
  }
}
