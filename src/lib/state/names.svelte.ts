// Names for phone numbers as the signed-in user sees them: their personal
// contact, then the shared phonebook, then caller-name lookup, then the
// formatted number. Asked of the server in batches as numbers come into
// view (POST /api/names), and kept current by the inbox's contact events,
// so a rename shows everywhere without a reload (docs/phonebook.md).
import { pb } from '$lib/api/pb';
import type { ContactRecord, FoundName } from '$lib/api/types';
import { better, namesFromContact, showName } from '$lib/chat/names';

const BATCH = 500;

/** NamesState holds the names found so far by number, as `.current` (null: the number has none). */
export class NamesState {
  /** e164 → its name, or null when it has none */
  current = $state.raw<ReadonlyMap<string, FoundName | null>>(new Map());

  #queued = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #generation = 0;

  /** found returns a number's name, or null; the first call for a number asks the server (the answer redraws). */
  found(e164: string): FoundName | null {
    const hit = this.current.get(e164);
    if (hit !== undefined) return hit;
    if (e164.startsWith('+')) this.#ask([e164]);
    return null;
  }

  /** displayName is what a number is shown as: its name (caller ID marked) or the formatted number. */
  displayName(e164: string, country: string): string {
    return showName(e164, this.found(e164), country);
  }

  /** applyContact folds a contact that changed (or is gone) into the names. */
  applyContact(contact: ContactRecord, deleted: boolean): void {
    const next = new Map(this.current);
    const ask: string[] = [];
    const kept = new Set((contact.numbers ?? []).map((n) => n.e164));
    // numbers this contact named before and names no more: another name may apply
    for (const [e164, f] of next) if (f?.contact === contact.id && (deleted || !kept.has(e164))) ask.push(e164);
    for (const { e164, found } of namesFromContact(contact, deleted)) {
      if (!found) continue;
      const had = next.get(e164);
      if (had?.contact === contact.id || better(found, had)) next.set(e164, found);
      else if (had === undefined) ask.push(e164);
    }
    this.current = next;
    if (ask.length) this.#refetch(ask);
  }

  /** applyCallerName takes a fresh caller-name lookup for a number without a contact. */
  applyCallerName(phone: string, name: string): void {
    const had = this.current.get(phone);
    if (had && had.source !== 'cnam') return;
    const next = new Map(this.current);
    next.set(phone, name ? { name, source: 'cnam' } : null);
    this.current = next;
  }

  /** reload asks again for every number seen (after an import or a reconnect). */
  reload(): void {
    this.#refetch([...this.current.keys()]);
  }

  /** reset forgets everything (sign-out). */
  reset(): void {
    this.#generation++;
    clearTimeout(this.#timer);
    this.#queued.clear();
    this.current = new Map();
  }

  #refetch(phones: string[]): void {
    for (const p of phones) this.#queued.add(p);
    this.#schedule();
  }

  #ask(phones: string[]): void {
    let added = false;
    for (const p of phones) {
      if (this.#queued.has(p)) continue;
      this.#queued.add(p);
      added = true;
    }
    if (added) this.#schedule();
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    // gather the numbers a render asks for into one request
    this.#timer = setTimeout(() => void this.#flush(), 10);
  }

  async #flush(): Promise<void> {
    const phones = [...this.#queued];
    const generation = this.#generation;
    for (let i = 0; i < phones.length; i += BATCH) {
      const chunk = phones.slice(i, i + BATCH);
      let found: Record<string, FoundName>;
      try {
        found = await pb.send<Record<string, FoundName>>('/api/names', { method: 'POST', body: { phones: chunk } });
      } catch {
        // shown as numbers; asked again on the next reload
        for (const p of chunk) this.#queued.delete(p);
        continue;
      }
      if (generation !== this.#generation) return;
      const next = new Map(this.current);
      for (const p of chunk) {
        next.set(p, found[p] ?? null);
        this.#queued.delete(p);
      }
      this.current = next;
    }
  }
}
