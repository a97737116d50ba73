// Settings: the one row every feature reads (default country, replies,
// the SMS name prefix). The lowest module: it imports no other hook module.
import { badField } from './http';
import { REPLY_FIELDS, checkReply } from '../../src/lib/domain/replies';

/** findSettings returns the one settings row. */
export function findSettings(app: CoreApp): core.Record {
  return app.findFirstRecordByFilter('settings', "id != ''");
}

/** checkSettings refuses keyword replies carriers would not accept (empty, over one SMS, a STOP reply without the way back). */
export function checkSettings(record: core.Record): void {
  for (const field of REPLY_FIELDS) {
    const problem = checkReply(field, record.getString(field));
    if (problem) badField(field, problem);
    record.set(field, record.getString(field).trim());
  }
}
