import { describe, expect, it } from 'vitest';
import { backupKind, dailyCron, dailyHour, describeSchedule, formatSize } from './backups';

describe('backup schedule in words', () => {
  it.each([
    [{ cron: '0 3 * * *', keep: 7 }, 'Every day at 03:00, keeping the newest 7'],
    [{ cron: '0 23 * * *', keep: 1 }, 'Every day at 23:00, keeping the newest 1'],
    [{ cron: '30 2 * * 1', keep: 4 }, 'On the schedule “30 2 * * 1”, keeping the newest 4'],
    [{ cron: '', keep: 7 }, 'No scheduled backups'],
  ])('%o reads %s', (schedule, words) => {
    expect(describeSchedule(schedule)).toBe(words);
  });

  it('edits a daily schedule as an hour and leaves any other cron alone', () => {
    expect(dailyHour('0 3 * * *')).toBe(3);
    expect(dailyHour(dailyCron(17))).toBe(17);
    expect(dailyHour('0 24 * * *')).toBeNull();
    expect(dailyHour('15 3 * * *')).toBeNull();
  });
});

describe('backup files', () => {
  it.each([
    [512, '512 B'],
    [1_400_000, '1.4 MB'],
    [23_000_000, '23 MB'],
    [2_500_000_000, '2.5 GB'],
  ])('%d bytes is %s', (bytes, shown) => {
    expect(formatSize(bytes)).toBe(shown);
  });

  it('names where a backup came from', () => {
    expect(backupKind('@auto_pb_backup_messaging_20261201030000.zip')).toBe('Scheduled');
    expect(backupKind('pre_restore_20261201_101500.zip')).toBe('Saved before a restore');
    expect(backupKind('backup_20261201_101500.zip')).toBe('Made by hand');
    expect(backupKind('from_the_old_box.zip')).toBe('Uploaded');
  });
});
