// The Phonebook page's state: the contacts you may see (yours and the shared
// ones) searched as you type and sorted, a page at a time; add, edit,
// delete with undo; import and export. Kept current by the inbox's contact
// events (a colleague's edit to a shared contact shows at once).
import { pb } from '$lib/api/pb';
import { readError } from '$lib/api/errors';
import type { ContactRecord, ConversationRecord, InboxEvent } from '$lib/api/types';
import { inbox } from './inbox.svelte';
import { auth } from './auth.svelte';

/** PAGE is how many contacts a page shows; "Show more" adds another. */
const PAGE = 50;

/** Sort is the phonebook's order. */
export type Sort = 'name' | 'company' | '-updated';
/** Scope narrows the phonebook to your contacts or the shared ones. */
export type Scope = 'all' | 'personal' | 'shared';

/** ImportReport is the import route's answer. */
export interface ImportReport {
  created: number;
  merged: number;
  rejected: { row: number; reason: string }[];
  dry_run: boolean;
}

/** ContactDraft is what the contact form saves. */
export interface ContactDraft {
  name: string;
  company: string;
  email: string;
  notes: string;
  numbers: { e164: string; label: string }[];
  shared: boolean;
  /** contact_groups ids (a shared contact's only) */
  groups: string[];
}

/** contactFilter builds the list filter for a search: name, company, e-mail or any part of a number. */
export function contactFilter(query: string, scope: Scope, me: string, group = ''): string {
  const parts: string[] = [];
  if (group) parts.push(pb.filter('groups ~ {:g}', { g: group }));
  if (scope === 'personal') parts.push(pb.filter('owner = {:me}', { me }));
  if (scope === 'shared') parts.push('owner = ""');
  const q = query.trim();
  if (q) {
    const digits = q.replace(/\D/g, '').replace(/^0+/, '');
    const numeric = digits !== '' && /^[\d\s()+\-.\/]+$/.test(q);
    const text = numeric ? [] : ['name ~ {:q}', 'company ~ {:q}', 'email ~ {:q}'];
    // numbers are stored as JSON text: the digits of any part of a number are in it
    const number = digits ? ['numbers ~ {:d}'] : [];
    parts.push(pb.filter(`(${[...text, ...number].join(' || ')})`, { q, d: digits }));
  }
  return parts.join(' && ');
}

/**
 * conversationsWith lists every conversation you may read that has (or had)
 * one of these phones in it, across business numbers and groups, newest
 * activity first: one customer, one timeline. The participants list rule
 * keeps it to your conversations.
 */
export async function conversationsWith(phones: readonly string[]): Promise<ConversationRecord[]> {
  if (!phones.length) return [];
  const filter = phones.map((p) => pb.filter('phone = {:p}', { p })).join(' || ');
  const rows = await pb.collection('participants').getFullList<{ expand?: { conversation?: ConversationRecord } }>({ batch: 500, filter, expand: 'conversation' });
  const byId = new Map<string, ConversationRecord>();
  for (const r of rows) if (r.expand?.conversation) byId.set(r.expand.conversation.id, r.expand.conversation);
  return [...byId.values()].sort((a, b) => (b.last_message_at || b.created).localeCompare(a.last_message_at || a.created));
}

/** PhonebookState holds the contacts shown (`.current`) for the search, scope and sort chosen. */
export class PhonebookState {
  /** contacts shown, in order */
  current = $state.raw<readonly ContactRecord[]>([]);
  /** how many match in all */
  total = $state(0);
  /** what is typed in the search box */
  query = $state('');
  sort = $state<Sort>('name');
  scope = $state<Scope>('all');
  /** the contact group shown; '' for every contact */
  group = $state('');
  loading = $state(true);
  error = $state('');
  /** may change the shared phonebook (admins and people they allow) */
  canEditShared = $derived(auth.current?.role === 'admin' || !!(auth.current as { edit_phonebook?: boolean } | null)?.edit_phonebook);

  #pages = 1;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #seq = 0;

  /** start loads the first page and follows contact events; returns the stop function. */
  start(): () => void {
    void this.load();
    return inbox.listen((e: InboxEvent) => {
      if (e.type === 'contact') this.#applyContact(e.contact, e.deleted);
      else if (e.type === 'phonebook') void this.load();
    });
  }

  /** search reloads after a short pause in typing. */
  search(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#pages = 1;
      void this.load();
    }, 150);
  }

  /** more shows another page. */
  more(): Promise<void> {
    this.#pages++;
    return this.load();
  }

  /** load fetches what the search, scope and sort ask for (a newer load wins over an older one). */
  async load(): Promise<void> {
    const seq = ++this.#seq;
    const sort = this.sort === 'company' ? 'company,name' : this.sort === 'name' ? 'name' : '-updated';
    try {
      const page = await pb.collection('contacts').getList<ContactRecord>(1, PAGE * this.#pages, {
        filter: contactFilter(this.query, this.scope, auth.current?.id ?? '', this.group),
        sort
      });
      if (seq !== this.#seq) return;
      this.current = page.items;
      this.total = page.totalItems;
      this.error = '';
    } catch (err) {
      if (seq === this.#seq) this.error = readError(err).message;
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }

  /** save creates or updates a contact; throws the API error for the form. */
  async save(id: string | null, draft: ContactDraft): Promise<ContactRecord> {
    const body: Record<string, unknown> = { name: draft.name, company: draft.company, email: draft.email, notes: draft.notes, numbers: draft.numbers.filter((n) => n.e164.trim()) };
    // groups belong to the shared phonebook
    if (draft.shared) body.groups = draft.groups;
    const saved = id
      ? await pb.collection('contacts').update<ContactRecord>(id, body)
      : await pb.collection('contacts').create<ContactRecord>({ ...body, owner: draft.shared ? '' : auth.current?.id });
    this.#applyContact(saved, false);
    return saved;
  }

  /** remove deletes a contact and returns what undo puts back. */
  async remove(contact: ContactRecord): Promise<ContactRecord> {
    await pb.collection('contacts').delete(contact.id);
    this.#applyContact(contact, true);
    return contact;
  }

  /** restore puts a deleted contact back (undo). */
  async restore(contact: ContactRecord): Promise<void> {
    const { name, company, email, notes, numbers, owner, groups } = contact;
    const back = await pb.collection('contacts').create<ContactRecord>({ name, company, email, notes, numbers, owner, groups: owner ? [] : (groups ?? []) });
    this.#applyContact(back, false);
  }

  /** importRows sends rows read from a file: a dry run reports what would happen, else they go in (the rows that can) and the report says which did not. */
  importRows(rows: readonly unknown[], shared: boolean, dryRun: boolean): Promise<ImportReport> {
    return pb.send<ImportReport>('/api/contacts/import', { method: 'POST', body: { rows, shared, dry_run: dryRun } });
  }

  /** everything fetches every contact you may see, for export. */
  everything(): Promise<ContactRecord[]> {
    return pb.collection('contacts').getFullList<ContactRecord>({ batch: 1000, sort: 'name', filter: contactFilter('', this.scope, auth.current?.id ?? '') });
  }

  /** isYours says whether a contact is in your personal phonebook. */
  isYours(c: ContactRecord): boolean {
    return !!c.owner && c.owner === auth.current?.id;
  }

  /** mayEdit says whether you may change a contact. */
  mayEdit(c: ContactRecord): boolean {
    return this.isYours(c) || (!c.owner && this.canEditShared);
  }

  #applyContact(contact: ContactRecord, deleted: boolean): void {
    const had = this.current.some((c) => c.id === contact.id);
    if (deleted) {
      if (had) {
        this.current = this.current.filter((c) => c.id !== contact.id);
        this.total--;
      }
      return;
    }
    if (had) this.current = this.current.map((c) => (c.id === contact.id ? contact : c));
    // a new contact may or may not match the search: the server says
    else void this.load();
  }
}
