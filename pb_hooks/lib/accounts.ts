// Accounts: the one-time first administrator, the rule that an active
// administrator always remains, and disabled accounts.
import { badField, bodyString } from './http';

const FIRST_ADMIN_EXISTS = 'The first administrator already exists.';
const LAST_ADMIN = 'At least one active administrator must remain.';
const DISABLED = 'This account is disabled. Ask an administrator.';

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
    record.set('name', bodyString(body, 'name'));
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
  if (!record.getString('name').trim()) badField('name', 'Enter a name.');
  // the user list is the company's extension directory
  record.set('emailVisibility', true);
  record.set('verified', true);
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

/** checkNotDisabled refuses a correct password for a disabled account with a message that says why. */
export function checkNotDisabled(record: core.Record | undefined, password: string): void {
  if (record && record.getBool('disabled') && record.validatePassword(password)) {
    throw new ForbiddenError(DISABLED, null);
  }
}

