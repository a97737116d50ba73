// Settings: the one row every feature reads (default country, replies,
// the SMS name prefix). The lowest module: it imports no other hook module.
import { badField } from './http';
import { REPLY_FIELDS, checkReply } from '../../src/lib/domain/replies';
import { checkPublicUrl, normalPublicUrl } from '../../src/lib/domain/attachments';

/** findSettings returns the one settings row. */
export function findSettings(app: CoreApp): core.Record {
  return app.findFirstRecordByFilter('settings', "id != ''");
}

/** checkSettings refuses keyword replies carriers would not accept (empty, over one SMS, a STOP reply without the way back) and a public URL that is not an http(s) address. */
export function checkSettings(record: core.Record): void {
  for (const field of REPLY_FIELDS) {
    const problem = checkReply(field, record.getString(field));
    if (problem) badField(field, problem);
    record.set(field, record.getString(field).trim());
  }
  const url = normalPublicUrl(record.getString('public_url'));
  const problem = checkPublicUrl(url);
  if (problem) badField('public_url', problem);
  record.set('public_url', url);
}
