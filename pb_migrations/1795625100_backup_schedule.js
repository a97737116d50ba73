/// <reference path="../build/pocketbase-types.d.ts" />
// Scheduled backups are on by default: every day at 03:00 (server time), the
// newest 7 kept in <data>/backups. Administrators change both under Admin →
// Backups; an install that already has a schedule keeps it.

migrate(
  (app) => {
    const s = app.settings();
    if (!s.backups.cron) {
      s.backups.cron = '0 3 * * *';
      s.backups.cronMaxKeep = 7;
      app.save(s);
    }
  },
  (app) => {
    const s = app.settings();
    if (s.backups.cron === '0 3 * * *') {
      s.backups.cron = '';
      app.save(s);
    }
  },
);
