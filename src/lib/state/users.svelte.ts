// The users list (the extension directory), kept current by realtime events,
// and the admin actions on accounts. Accounts are disabled, never deleted.
import { pb } from '$lib/api/pb';
import { LiveList } from './live-list.svelte';
import type { NewUser, UserChanges, UserRecord } from '$lib/api/types';
import { sortByExtension } from '$lib/directory';
import { numbersBody, type UserNumbersChange } from '$lib/admin/numbers';

/** UsersState holds every user, sorted by extension, as `.current`. */
export class UsersState extends LiveList<UserRecord> {
  constructor() {
    super({ collection: 'users', order: sortByExtension });
  }

  /** create adds an account (admins only); throws the SDK error on failure. */
  async create(input: NewUser): Promise<UserRecord> {
    const { name, extension, email, role, password, edit_phonebook = false } = input;
    const record = await pb
      .collection('users')
      .create<UserRecord>({ name, extension, email, role, password, passwordConfirm: password, edit_phonebook });
    this.upsert(record);
    return record;
  }

  /** update changes an account's name, extension, email, role or phonebook right. */
  async update(id: string, changes: UserChanges): Promise<UserRecord> {
    // only these fields: callers may hand over a wider object (e.g. the form's empty password)
    const { name, extension, email, role, edit_phonebook = false } = changes;
    const record = await pb.collection('users').update<UserRecord>(id, { name, extension, email, role, edit_phonebook });
    this.upsert(record);
    return record;
  }

  /** resetPassword sets a new password without the old one (admins only). */
  async resetPassword(id: string, password: string): Promise<void> {
    const record = await pb
      .collection('users')
      .update<UserRecord>(id, { password, passwordConfirm: password });
    this.upsert(record);
  }

  /** setDisabled disables or re-enables an account. */
  async setDisabled(id: string, disabled: boolean): Promise<UserRecord> {
    const record = await pb.collection('users').update<UserRecord>(id, { disabled });
    this.upsert(record);
    return record;
  }

  /** changeNumbers changes the numbers a user may text from and their default (admins only). */
  async changeNumbers(change: UserNumbersChange): Promise<UserRecord> {
    const record = await pb.collection('users').update<UserRecord>(change.user, numbersBody(change));
    this.upsert(record);
    return record;
  }
}
