// Record shapes of the collections the UI reads, as the migrations define them.

/** Role of a user: admins manage accounts and settings, members use the inbox. */
export type Role = 'admin' | 'member';

/** UserRecord is a `users` record: a person with an extension. */
export interface UserRecord {
  id: string;
  collectionId: string;
  collectionName: 'users';
  email: string;
  name: string;
  extension: string;
  role: Role;
  disabled: boolean;
  sms_numbers: string[];
  default_number: string;
  alert_muted: boolean;
  created: string;
  updated: string;
}

/** NewUser is what an admin enters to create an account. */
export interface NewUser {
  name: string;
  extension: string;
  email: string;
  role: Role;
  password: string;
}

/** UserChanges is what an admin may change on an existing account. */
export interface UserChanges {
  name: string;
  extension: string;
  email: string;
  role: Role;
}

/** FirstAdmin is the form of the first-run setup screen. */
export interface FirstAdmin {
  name: string;
  extension: string;
  email: string;
  password: string;
  passwordConfirm: string;
}
