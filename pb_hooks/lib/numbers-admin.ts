// Administering business numbers: saving one moves its conversations in the
// same transaction (SMS switched off or on, queue mode changed, deleted).
// Above numbers.ts and queues.ts, whose rules it applies.
import { doFollowNumber, doPublishMoved, findAllowedUsers, type Moved } from './numbers';
import { checkNumberMode, doPublishQueueChange, doSwitchNumber, type QueueChange } from './queues';

/** doUpdateNumber saves a business number; switching SMS off or on, or its queue mode, moves its threads' members in the same transaction. */
export function doUpdateNumber(e: core.RecordRequestEvent): void {
  const record = e.record!;
  const before = record.original();
  const toggled = record.getBool('sms_enabled') !== before.getBool('sms_enabled');
  checkNumberMode(e.app, record);
  const app = e.app;
  let change: QueueChange = { moved: [], queues: [] };
  try {
    app.runInTransaction((tx) => {
      e.app = tx;
      e.next();
      change = doSwitchNumber(tx, record, before, () => findAllowedUsers(tx, record.id));
      if (toggled) change.moved.push(...doFollowNumber(tx, record.id));
      // texts waiting for the old link go through the new one
      if (record.getString('smsc_link') !== before.getString('smsc_link')) {
        tx.db()
          .newQuery("UPDATE deliveries SET link = {:link} WHERE status = 'queued' AND [[from]] = {:from}")
          .bind({ link: record.getString('smsc_link'), from: record.getString('e164') })
          .execute();
      }
    });
  } finally {
    e.app = app;
  }
  doPublishQueueChange(app, change);
}

/** doCreateNumber saves a new business number, refusing queue mode without a queue. */
export function doCreateNumber(e: core.RecordRequestEvent): void {
  checkNumberMode(e.app, e.record!);
  e.next();
}

/** doDeleteNumber takes everyone out of a business number's SMS threads, then deletes it, in one transaction; the threads stay for the record. */
export function doDeleteNumber(e: core.RecordRequestEvent): void {
  const app = e.app;
  let moved: Moved = [];
  try {
    app.runInTransaction((tx) => {
      e.app = tx;
      moved = doFollowNumber(tx, e.record!.id, []);
      e.next();
    });
  } finally {
    e.app = app;
  }
  doPublishMoved(app, moved);
}
