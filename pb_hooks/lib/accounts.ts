// Accounts: the one-time first administrator, the rule that an active
// administrator always remains, and disabled accounts.
import { badField, bodyString } from './http';
import { cleanLabel } from '../../src/lib/domain/text';
import { doFollowNumber, doPublishMoved, type Moved } from './numbers';
import { doLeaveQueues, doPublishQueueChange, type QueueChange } from './queues';

const FIRST_ADMIN_EXISTS = 'The first administrator already exists.';
const LAST_ADMIN = 'At least one active administrator must remain.';
const DISABLED = 'This account is disabled. Ask an administrator.';
// PocketBase's answer to a wrong password (apis/record_auth_with_password.go)
const WRONG_PASSWORD = 'Failed to authenticate.';

/** checkSetupNeeded reports whether no user exists yet, so the first administrator may be created. */
export function checkSetupNeeded(app: CoreApp): boolean {
  return app.countRecords('users') === 0;
}

/** doCreateFirstAdmin creates the first administrator and answers with its auth token; it refuses once any user exists. */
export function doCreateFirstAdmin(e: core.RequestEvent): void {
  const body = e.requestInfo().body;
  const password = typeof body.password === 'string' ? body.password : '';
  if (password !== body.passwordConfirm) badField('passwordConfirm', "The passwords don't match.");
  let admin: core.Record | undefined;
  // the writer connection is single, so the count and the insert cannot interleave with a second request
  e.app.runInTransaction((tx) => {
    if (tx.countRecords('users') > 0) throw new ApiError(409, FIRST_ADMIN_EXISTS, null);
    const record = new Record(tx.findCollectionByNameOrId('users'));
    record.set('name', cleanLabel(bodyString(body, 'name')));
    record.set('extension', bodyString(body, 'extension'));
    record.set('email', bodyString(body, 'email'));
    record.set('role', 'admin');
    record.set('verified', true);
    record.set('emailVisibility', true);
    record.setPassword(password);
    if (!record.getString('name')) badField('name', 'Enter a name.');
    tx.save(record);
    admin = record;
  });
  $apis.recordAuthResponse(e, admin!, 'password');
}

/** doPrepareNewUser fills what an administrator-created account always has. */
export function doPrepareNewUser(record: core.Record): void {
  if (!record.getString('role')) record.set('role', 'member');
  checkName(record);
  // the user list is the company's extension directory
  record.set('emailVisibility', true);
  record.set('verified', true);
}

/** checkName cleans a display name (invisible and direction-control characters out) and refuses one with nothing visible left. */
export function checkName(record: core.Record): void {
  const name = cleanLabel(record.getString('name'));
  if (!name) badField('name', 'Enter a name with at least one visible character.');
  record.set('name', name);
}

/**
 * doUpdateUser saves a change to an account in one transaction with the
 * check that an active administrator remains: two administrators demoting
 * or disabling each other at once are serialised by the single writer
 * connection, and the second sees the first's change.
 */
export function doUpdateUser(e: core.RecordRequestEvent): void {
  const record = e.record!;
  const before = record.original();
  if (record.getString('name') !== before.getString('name')) checkName(record);
  const app = e.app;
  let moved: Moved = [];
  let queues: QueueChange | null = null;
  try {
    app.runInTransaction((tx) => {
      e.app = tx;
      checkAdminRemains(tx, record);
      e.next();
      moved = doFollowUserNumbers(tx, before, record);
      if (record.getBool('disabled') && !before.getBool('disabled')) queues = doLeaveQueues(tx, record);
    });
  } finally {
    e.app = app;
  }
  doPublishMoved(app, moved);
  if (queues) doPublishQueueChange(app, queues);
}

/** doCreateUser saves a new account and makes it a member of the SMS threads of the numbers it was given, in one transaction. */
export function doCreateUser(e: core.RecordRequestEvent): void {
  doPrepareNewUser(e.record!);
  const app = e.app;
  try {
    app.runInTransaction((tx) => {
      e.app = tx;
      e.next();
      doFollowUserNumbers(tx, null, e.record!);
    });
  } finally {
    e.app = app;
  }
}

/**
 * doFollowUserNumbers moves the account in or out of the SMS threads of
 * every business number whose permission for it changed: numbers granted or
 * taken away, or all of its numbers when it is disabled or enabled.
 */
function doFollowUserNumbers(app: CoreApp, before: core.Record | null, after: core.Record): Moved {
  const was = before ? before.getStringSlice('sms_numbers') : [];
  const now = after.getStringSlice('sms_numbers');
  const toggled = before !== null && before.getBool('disabled') !== after.getBool('disabled');
  const changed = toggled
    ? [...new Set([...was, ...now])]
    : [...was.filter((n) => !now.includes(n)), ...now.filter((n) => !was.includes(n))];
  const moved: Moved = [];
  for (const n of changed) moved.push(...doFollowNumber(app, n));
  return moved;
}

/** checkAdminRemains refuses an update that would leave no active administrator, and ends the sessions of an account being disabled. */
export function checkAdminRemains(app: CoreApp, record: core.Record): void {
  const before = record.original();
  const wasActiveAdmin = before.getString('role') === 'admin' && !before.getBool('disabled');
  const isActiveAdmin = record.getString('role') === 'admin' && !record.getBool('disabled');
  if (wasActiveAdmin && !isActiveAdmin) {
    const others = app.countRecords(
      'users',
      $dbx.exp("role = 'admin' AND disabled = FALSE AND id != {:id}", { id: record.id }),
    );
    if (others === 0) throw new BadRequestError(LAST_ADMIN, null);
  }
  if (record.getBool('disabled') && !before.getBool('disabled')) {
    // a new token key invalidates every token issued so far
    record.refreshTokenKey();
  }
}

/**
 * checkNotDisabled answers a sign-in to a disabled account: the right
 * password learns that the account is disabled (its owner needs to know why;
 * the account cannot sign in, and the limiter caps guesses), a wrong one gets
 * PocketBase's own answer to a wrong password, word for word, after the same
 * single password check an active account costs.
 */
export function checkNotDisabled(record: core.Record | undefined, password: string): void {
  if (!record || !record.getBool('disabled')) return;
  if (record.validatePassword(password)) throw new ForbiddenError(DISABLED, null);
  throw new BadRequestError(WRONG_PASSWORD, null);
}

