// Pure helpers of the backups page and the backup schedule form: the
// schedule in words, the daily cron it is edited as, and file sizes.

/** BackupSchedule is PocketBase's settings.backups.cron and cronMaxKeep. */
export interface BackupSchedule {
  /** cron expression in the server's time zone; empty = no scheduled backups */
  cron: string;
  /** how many scheduled backups are kept */
  keep: number;
}

/** dailyHour returns the hour of a 'daily at HH:00' cron ('0 3 * * *' → 3), or null for any other schedule. */
export function dailyHour(cron: string): number | null {
  const m = cron.trim().match(/^0 (\d{1,2}) \* \* \*$/);
  if (!m) return null;
  const hour = Number(m[1]);
  return hour >= 0 && hour <= 23 ? hour : null;
}

/** dailyCron is the cron for a backup every day at the given hour. */
export function dailyCron(hour: number): string {
  return `0 ${hour} * * *`;
}

/** describeSchedule says when backups run, e.g. 'Every day at 03:00, keeping the newest 7'. */
export function describeSchedule(s: BackupSchedule): string {
  if (!s.cron.trim()) return 'No scheduled backups';
  const hour = dailyHour(s.cron);
  const when = hour === null ? `On the schedule “${s.cron}”` : `Every day at ${String(hour).padStart(2, '0')}:00`;
  return `${when}, keeping the newest ${s.keep}`;
}

/** formatSize shows a byte count the way people read file sizes (1.4 MB). */
export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = -1;
  do {
    v /= 1000;
    u++;
  } while (v >= 1000 && u < units.length - 1);
  return `${v >= 10 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}

/** backupKind says where a backup came from by its name. */
export function backupKind(key: string): string {
  if (key.startsWith('@auto_')) return 'Scheduled';
  if (key.startsWith('pre_restore_')) return 'Saved before a restore';
  if (key.startsWith('backup_')) return 'Made by hand';
  return 'Uploaded';
}
