// Conversations: opening a direct chat or a group, changing a group's name
// and membership (each change writes a system line), unread counts and the
// typing signal. Only `do*` functions write records or publish events.
import { badField } from './http';
import { doPublish } from './realtime';
import { findSettings } from './settings';
import { accessConversation, doAddParticipant, doSystemLine } from './threads';
import { accessSmsNumber } from './numbers';
import { checkPhones, doAddPhone } from './phones';
import { formatPhone } from '../../src/lib/domain/phone';
import { cleanLabel } from '../../src/lib/domain/text';

const TITLE_MAX = 100;

/** directKey is the unique key of the direct conversation between two users, whatever their order. */
export function directKey(a: string, b: string): string {
  return a < b ? `${a}_${b}` : `${b}_${a}`;
}

/** checkColleagues returns the active user records for the given ids, refusing unknown or disabled ones. */
export function checkColleagues(app: CoreApp, ids: unknown, field: string): core.Record[] {
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) badField(field, 'Pick one or more colleagues.');
  const unique = Array.from(new Set(ids as string[]));
  const found = (unique.length ? app.findRecordsByIds('users', unique) : []) as core.Record[];
  if (found.length !== unique.length) badField(field, 'One of these colleagues does not exist.');
  // in the order they were picked, which is the order system lines name them
  const records = unique.map((id) => found.find((r) => r.id === id)!);
  const disabled = records.find((r) => r.getBool('disabled'));
  if (disabled) badField(field, `${disabled.getString('name')} is disabled.`);
  return records;
}

/** checkTitle cleans a group name (invisible and direction-control characters out) and refuses an empty or over-long one. */
export function checkTitle(raw: unknown): string {
  const title = typeof raw === 'string' ? cleanLabel(raw) : '';
  if (!title) badField('title', 'Give the group a name.');
  if (Array.from(title).length > TITLE_MAX) badField('title', `Group names are limited to ${TITLE_MAX} characters.`);
  return title;
}

/** doOpenDirect returns the one direct conversation between the caller and a colleague, creating it the first time. */
export function doOpenDirect(e: core.RequestEvent): void {
  const me = e.auth!;
  const other = e.requestInfo().body.user;
  if (typeof other !== 'string' || other === '') badField('user', 'Pick a colleague.');
  if (other === me.id) badField('user', 'Pick someone other than yourself.');
  const [colleague] = checkColleagues(e.app, [other], 'user');
  const key = directKey(me.id, colleague.id);
  let conversation: core.Record | undefined;
  // one writer connection: the lookup and the insert cannot interleave with
  // a concurrent open of the same pair; the unique index is the backstop
  e.app.runInTransaction((tx) => {
    try {
      conversation = tx.findFirstRecordByData('conversations', 'direct_key', key);
      return;
    } catch (_) {
      // first chat between these two
    }
    const c = new Record(tx.findCollectionByNameOrId('conversations'));
    c.set('kind', 'direct');
    c.set('members', [me.id, colleague.id]);
    c.set('created_by', me.id);
    c.set('direct_key', key);
    tx.save(c);
    for (const user of [me.id, colleague.id]) doAddParticipant(tx, c.id, user);
    conversation = c;
  });
  e.json(200, conversation!);
}

/** doCreateGroup creates a named group with the caller, the chosen colleagues and any external numbers, and its first system line. */
export function doCreateGroup(e: core.RequestEvent): void {
  const me = e.auth!;
  const body = e.requestInfo().body;
  const title = checkTitle(body.title);
  const colleagues = checkColleagues(e.app, body.members ?? [], 'members').filter((r) => r.id !== me.id);
  const phones = checkPhones(e.app, body.phones, 'phones');
  if (colleagues.length + phones.length === 0) badField('members', 'Pick at least one colleague.');
  // a group with phones texts them from one business number the creator may use
  const number = phones.length ? accessSmsNumber(e.app, me, typeof body.number === 'string' ? body.number : '') : null;
  let group: core.Record | undefined;
  e.app.runInTransaction((tx) => {
    const c = new Record(tx.findCollectionByNameOrId('conversations'));
    c.set('kind', 'group');
    c.set('title', title);
    c.set('members', [me.id, ...colleagues.map((r) => r.id)]);
    c.set('created_by', me.id);
    if (number) c.set('our_number', number.id);
    tx.save(c);
    doAddParticipant(tx, c.id, me.id);
    for (const r of colleagues) doAddParticipant(tx, c.id, r.id);
    for (const p of phones) doAddPhone(tx, c, p);
    const country = findSettings(tx).getString('default_country');
    const names = [...colleagues.map((r) => r.getString('name')), ...phones.map((p) => formatPhone(p, country))];
    doSystemLine(tx, c, me, `${me.getString('name')} created the group ${title} with ${listNames(names)}`, {
      type: 'created',
      title,
      users: colleagues.map((r) => r.id),
      phones,
    });
    group = tx.findRecordById('conversations', c.id);
  });
  e.json(200, group!);
}

/** doRenameGroup renames a group the caller is in and tells everyone. */
export function doRenameGroup(e: core.RequestEvent): void {
  const me = e.auth!;
  const title = checkTitle(e.requestInfo().body.title);
  const id = e.request!.pathValue('id');
  let result: core.Record | undefined;
  e.app.runInTransaction((tx) => {
    const c = accessGroup(tx, id, me.id);
    if (c.getString('title') === title) {
      result = c;
      return;
    }
    c.set('title', title);
    tx.save(c);
    doSystemLine(tx, c, me, `${me.getString('name')} renamed the group to ${title}`, { type: 'renamed', title });
    result = tx.findRecordById('conversations', c.id);
  });
  e.json(200, result!);
}

/** doAddMembers adds colleagues to a group (or brings back ones who left) with one system line. */
export function doAddMembers(e: core.RequestEvent): void {
  const me = e.auth!;
  const id = e.request!.pathValue('id');
  const colleagues = checkColleagues(e.app, e.requestInfo().body.users, 'users');
  let result: core.Record | undefined;
  e.app.runInTransaction((tx) => {
    const c = accessGroup(tx, id, me.id);
    const members = c.getStringSlice('members');
    const added = colleagues.filter((r) => !members.includes(r.id));
    if (added.length === 0) badField('users', 'They are already in this group.');
    const since = c.getString('last_message_at');
    for (const r of added) doAddParticipant(tx, c.id, r.id, since);
    c.set('members', [...members, ...added.map((r) => r.id)]);
    tx.save(c);
    doSystemLine(tx, c, me, `${me.getString('name')} added ${listNames(added.map((r) => r.getString('name')))}`, {
      type: 'added',
      users: added.map((r) => r.id),
    });
    result = tx.findRecordById('conversations', c.id);
  });
  e.json(200, result!);
}

/** doRemoveMember takes a participant out of a group (or the caller, which is leaving) with a system line. */
export function doRemoveMember(e: core.RequestEvent, leaving: boolean): void {
  const me = e.auth!;
  const id = e.request!.pathValue('id');
  const userId = leaving ? me.id : e.request!.pathValue('user');
  e.app.runInTransaction((tx) => {
    const c = accessGroup(tx, id, me.id);
    const members = c.getStringSlice('members');
    if (!members.includes(userId)) throw new NotFoundError('That person is not in this group.', null);
    const user = tx.findRecordById('users', userId);
    const p = tx.findFirstRecordByFilter('participants', 'conversation = {:c} && user = {:u}', { c: c.id, u: userId });
    p.set('left_at', new DateTime());
    tx.save(p);
    c.set('members', members.filter((m) => m !== userId));
    tx.save(c);
    const text = leaving
      ? `${me.getString('name')} left the group`
      : `${me.getString('name')} removed ${user.getString('name')}`;
    doSystemLine(tx, c, me, text, { type: leaving ? 'left' : 'removed', users: [userId] });
  });
  // after the commit: their other tabs drop the conversation
  doPublish(e.app, [userId], { type: 'removed', conversation: id });
  e.noContent(204);
}

function accessGroup(app: CoreApp, id: string, userId: string): core.Record {
  const c = accessConversation(app, id, userId);
  if (c.getString('kind') !== 'group') throw new BadRequestError('Only groups can be renamed or change members.', null);
  return c;
}

/** listNames joins names the way a person would: "A", "A and B", "A, B and C". */
export function listNames(names: string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** findUnreadCounts returns, per conversation of the user, how many messages from others came after their last read. */
export function findUnreadCounts(app: CoreApp, userId: string): Record<string, number> {
  const rows = arrayOf(new DynamicModel({ conversation: '', unread: 0 }));
  app
    .db()
    .newQuery(
      `SELECT m.conversation AS conversation, COUNT(*) AS unread
         FROM participants p
         JOIN messages m ON m.conversation = p.conversation AND m.created > p.last_read_at
        WHERE p.user = {:user} AND p.left_at = '' AND m.author != {:user}
        GROUP BY m.conversation`,
    )
    .bind({ user: userId })
    .all(rows);
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.conversation] = r.unread;
  return counts;
}

/** doSendTyping tells the conversation's other members, and nobody else, that the caller is typing (or, `stopped`, no longer is). */
export function doSendTyping(e: core.RequestEvent): void {
  const me = e.auth!;
  const id = e.request!.pathValue('id');
  const stopped = e.requestInfo().body.stopped === true;
  const conversation = accessConversation(e.app, id, me.id);
  doPublish(e.app, conversation.getStringSlice('members'), { type: 'typing', conversation: id, user: me.id, name: me.getString('name'), stopped }, me.id);
  e.noContent(204);
}
