// Settings: the one row every feature reads (default country, replies,
// the SMS name prefix). The lowest module: it imports nothing.


/** findSettings returns the one settings row. */
export function findSettings(app: CoreApp): core.Record {
  return app.findFirstRecordByFilter('settings', "id != ''");
}
