// The audit log: what administrators (and superusers) change through the API
// on accounts, number permissions, business numbers, SMSC links and settings,
// written as `audit_log` rows in the same transaction as the change; and the
// password-reset notices a person sees at their next sign-in.
// A low module: it imports nothing from the feature modules.

/** Actor is who did something: an administrator, a superuser (no user id) or, for acknowledgements, the person themself. */
export interface Actor {
  /** the users id; empty for a superuser */
  id: string;
  name: string;
}

/** AuditEntry is one row to write, before actor, ip and time are added. */
export interface AuditEntry {
  action: string;
  target_collection: string;
  target_id: string;
  target_label: string;
  details: { [key: string]: unknown };
}

/** Notice is what the person whose password was reset is shown. */
export interface Notice {
  id: string;
  action: string;
  actor_name: string;
  ip: string;
  created: string;
}

/** AUDITED lists the collections whose API changes by administrators are logged, with each one's action prefix. */
export const AUDITED: { [collection: string]: string } = {
  users: 'user',
  numbers: 'number',
  smsc_links: 'smsc_link',
  settings: 'settings',
  integrations: 'integration',
};

// fields whose value never goes into the log, only the fact that it changed:
// credentials, and json that may hold a provider's API key
const SECRET: { [collection: string]: string[] } = {
  smsc_links: ['password', 'tls_ca'],
  settings: ['cnam_provider'],
  integrations: ['webhook_secret'],
};

// fields that are not an administrator's decision: bookkeeping, the bridge's
// live state and the person's own preferences (hidden fields, such as the
// password hash and the token key, are skipped too)
const IGNORED = ['id', 'created', 'updated', 'state', 'last_error', 'state_at', 'waiting', 'waiting_since', 'down_since', 'alert_muted', 'last_used_at', 'last_used_ip'];

// users fields that have an action of their own
const USER_OWN_ACTIONS = ['role', 'disabled', 'sms_numbers', 'default_number'];

/** actorOf says who is acting, or null when the caller's changes are not logged (members, services, anonymous). */
export function actorOf(auth: core.Record | undefined): Actor | null {
  if (!auth) return null;
  if (auth.isSuperuser()) return { id: '', name: 'superuser' };
  if (auth.collection().name === 'users' && auth.getString('role') === 'admin') {
    return { id: auth.id, name: auth.getString('name') };
  }
  return null;
}

/** labelOf names a record for people reading the log. */
export function labelOf(record: core.Record): string {
  switch (record.collection().name) {
    case 'users':
      return `${record.getString('name')} (${record.getString('extension')})`;
    case 'numbers': {
      const label = record.getString('label');
      return label ? `${record.getString('e164')} (${label})` : record.getString('e164');
    }
    case 'smsc_links':
    case 'integrations':
      return record.getString('name');
    case 'settings':
      return 'Settings';
    default:
      return record.id;
  }
}

function plainValue(record: core.Record, field: core.Field): unknown {
  const name = field.getName();
  switch (field.type()) {
    case 'bool':
      return record.getBool(name);
    case 'number':
      return record.getFloat(name);
    case 'relation':
    case 'select':
    case 'file':
      return field.isMultiple() ? Array.prototype.slice.call(record.getStringSlice(name)) : record.getString(name);
    default:
      return record.getString(name);
  }
}

function loggedFields(record: core.Record): core.Field[] {
  const fields: core.Field[] = [];
  for (const f of record.collection().fields) {
    if (f.getHidden() || IGNORED.includes(f.getName())) continue;
    fields.push(f);
  }
  return fields;
}

/** planSnapshot describes a whole record (for a create or a delete): every logged field, secrets only as set or not. */
export function planSnapshot(record: core.Record): { [key: string]: unknown } {
  const secret = SECRET[record.collection().name] ?? [];
  const out: { [key: string]: unknown } = {};
  for (const f of loggedFields(record)) {
    const name = f.getName();
    out[name] = secret.includes(name) ? { set: record.getString(name) !== '' } : plainValue(record, f);
  }
  return out;
}

/** planChanges lists the fields an update changes: old and new values, secrets only as changed. */
export function planChanges(record: core.Record, skip: string[] = []): { [key: string]: unknown } {
  const before = record.original();
  const secret = SECRET[record.collection().name] ?? [];
  const out: { [key: string]: unknown } = {};
  for (const f of loggedFields(record)) {
    const name = f.getName();
    if (skip.includes(name)) continue;
    const from = plainValue(before, f);
    const to = plainValue(record, f);
    if (JSON.stringify(from) === JSON.stringify(to)) continue;
    out[name] = secret.includes(name) ? { changed: true } : { from, to };
  }
  return out;
}

function entry(record: core.Record, action: string, details: { [key: string]: unknown }): AuditEntry {
  return {
    action,
    target_collection: record.collection().name,
    target_id: record.id,
    target_label: labelOf(record),
    details,
  };
}

/** planCreate is the entry for a record an administrator created. */
export function planCreate(record: core.Record): AuditEntry[] {
  const prefix = AUDITED[record.collection().name];
  return [entry(record, `${prefix}_created`, { fields: planSnapshot(record) })];
}

/** planDelete is the entry for a record an administrator deleted. */
export function planDelete(record: core.Record): AuditEntry[] {
  const prefix = AUDITED[record.collection().name];
  return [entry(record, `${prefix}_deleted`, { fields: planSnapshot(record) })];
}

function e164Of(app: CoreApp, ids: string[]): string[] {
  return ids.map((id) => {
    try {
      return app.findRecordById('numbers', id).getString('e164');
    } catch (_) {
      return id;
    }
  });
}

/**
 * planUpdate lists the entries for an update: for a users record, one per
 * kind of change (password reset by someone else, role, disabled, number
 * permissions, other fields); for the other collections one entry with the
 * changed fields. An update that changes nothing logged gives none.
 * `passwordSet` says whether the request body carried a password.
 */
export function planUpdate(app: CoreApp, actor: Actor, record: core.Record, passwordSet: boolean): AuditEntry[] {
  const collection = record.collection().name;
  if (collection !== 'users') {
    const changes = planChanges(record);
    return Object.keys(changes).length ? [entry(record, `${AUDITED[collection]}_updated`, { changes })] : [];
  }
  const before = record.original();
  const entries: AuditEntry[] = [];
  // changing your own password is not a reset: nobody else learns it
  if (passwordSet && actor.id !== record.id) entries.push(entry(record, 'password_reset', {}));
  if (before.getString('role') !== record.getString('role')) {
    entries.push(entry(record, 'role_changed', { from: before.getString('role'), to: record.getString('role') }));
  }
  if (before.getBool('disabled') !== record.getBool('disabled')) {
    entries.push(entry(record, record.getBool('disabled') ? 'user_disabled' : 'user_enabled', {}));
  }
  const had = Array.prototype.slice.call(before.getStringSlice('sms_numbers')) as string[];
  const has = Array.prototype.slice.call(record.getStringSlice('sms_numbers')) as string[];
  const added = has.filter((id) => !had.includes(id));
  const removed = had.filter((id) => !has.includes(id));
  const defaultFrom = before.getString('default_number');
  const defaultTo = record.getString('default_number');
  if (added.length || removed.length || defaultFrom !== defaultTo) {
    const details: { [key: string]: unknown } = { added: e164Of(app, added), removed: e164Of(app, removed) };
    if (defaultFrom !== defaultTo) {
      details.default_number = { from: e164Of(app, defaultFrom ? [defaultFrom] : [])[0] ?? '', to: e164Of(app, defaultTo ? [defaultTo] : [])[0] ?? '' };
    }
    entries.push(entry(record, 'sms_numbers_changed', details));
  }
  const changes = planChanges(record, USER_OWN_ACTIONS);
  if (Object.keys(changes).length) entries.push(entry(record, 'user_updated', { changes }));
  return entries;
}

/** doAudit writes entries for an actor, from an address. Call it with the transaction that makes the change. */
export function doAudit(app: CoreApp, actor: Actor, ip: string, entries: AuditEntry[]): void {
  if (!entries.length) return;
  const collection = app.findCollectionByNameOrId('audit_log');
  for (const en of entries) {
    const row = new Record(collection);
    row.set('actor', actor.id);
    row.set('actor_name', actor.name);
    row.set('action', en.action);
    row.set('target_collection', en.target_collection);
    row.set('target_id', en.target_id);
    row.set('target_label', en.target_label);
    row.set('details', en.details);
    row.set('ip', ip);
    app.save(row);
  }
}

/**
 * doAuditedRequest runs a create, update or delete request of an audited
 * collection and, when an administrator or a superuser made it, writes its
 * entries in the same transaction: a change that fails leaves no entry, and
 * an entry that cannot be written undoes the change. An update or delete
 * is described before the save (while the record still knows its original
 * values), a create after it (when the new record has its id).
 */
export function doAuditedRequest(e: core.RecordRequestEvent, op: 'create' | 'update' | 'delete'): void {
  const actor = actorOf(e.auth);
  if (!actor) {
    e.next();
    return;
  }
  const record = e.record!;
  const ip = e.realIP();
  const password = e.requestInfo().body.password;
  // an empty password is no change: PocketBase keeps the old one
  const passwordSet = op === 'update' && typeof password === 'string' && password !== '';
  const app = e.app;
  try {
    app.runInTransaction((tx) => {
      e.app = tx;
      const planned = op === 'update' ? planUpdate(tx, actor, record, passwordSet) : op === 'delete' ? planDelete(record) : [];
      e.next();
      doAudit(tx, actor, ip, op === 'create' ? planCreate(record) : planned);
    });
  } finally {
    e.app = app;
  }
}

/** findNotices returns the password resets of this user that they have not acknowledged, newest first. */
export function findNotices(app: CoreApp, userId: string): Notice[] {
  const user = app.findRecordById('users', userId);
  const seen = user.getString('notices_seen_at');
  const rows = app.findRecordsByFilter(
    'audit_log',
    "action = 'password_reset' && target_id = {:me} && created > {:seen}",
    '-created',
    20,
    0,
    { me: userId, seen },
  );
  return rows.map((r) => ({
    id: r!.id,
    action: r!.getString('action'),
    actor_name: r!.getString('actor_name'),
    ip: r!.getString('ip'),
    created: r!.getString('created'),
  }));
}

/**
 * doAcknowledgeNotices marks the user's notices as seen, so they show once.
 * The acknowledgement is logged too: someone else who signs in with a reset
 * password and dismisses the notice leaves their address in the log.
 */
export function doAcknowledgeNotices(app: CoreApp, userId: string, ip: string): void {
  app.runInTransaction((tx) => {
    const notices = findNotices(tx, userId);
    if (!notices.length) return;
    const user = tx.findRecordById('users', userId);
    user.set('notices_seen_at', new DateTime());
    tx.save(user);
    doAudit(tx, { id: user.id, name: user.getString('name') }, ip, [
      entry(user, 'notice_acknowledged', { notices: notices.map((n) => n.id) }),
    ]);
  });
}
