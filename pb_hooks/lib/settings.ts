// Settings: the one row every feature reads (default country, replies,
// the SMS name prefix). The lowest module: it imports no other hook module.
import { badField } from './http';
import { REPLY_FIELDS, checkReply } from '../../src/lib/domain/replies';
import { checkPublicUrl, normalPublicUrl } from '../../src/lib/domain/attachments';
import { TIME_ZONE_SHAPE } from '../../src/lib/domain/schedule';

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
  // the hooks have no zone database: the admin page checks the name against the browser's
  const zone = record.getString('time_zone').trim() || 'UTC';
  if (!TIME_ZONE_SHAPE.test(zone)) badField('time_zone', `${zone} is not a time zone name; use an IANA name such as Europe/Berlin, America/New_York or UTC.`);
  record.set('time_zone', zone);
}
