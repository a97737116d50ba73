// Message templates: the shared ones and the caller's personal ones, kept
// current by realtime events (the list rule shows each user exactly those),
// the actions on them, and the merge values of a thread's phone for the
// compose box's preview. docs/templates.md.
import { pb } from '$lib/api/pb';
import type { MergeValues } from '$lib/domain/templates';
import { LiveList } from './live-list.svelte';

/** TemplateRecord is a `templates` record: shared when `owner` is empty, else its owner's alone. */
export interface TemplateRecord {
  id: string;
  name: string;
  /** the text with merge fields, e.g. "Hi {first_name|there}" */
  body: string;
  owner: string;
  created: string;
  updated: string;
}

/** MergeFields is what GET /api/templates/fields answers: a phone's values and the contact they come from. */
export interface MergeFields {
  values: MergeValues;
  contact: { id: string; name: string; source: 'personal' | 'shared' } | null;
}

// shared first, then by name
const byName = (list: TemplateRecord[]) => list.sort((a, b) => Number(!!a.owner) - Number(!!b.owner) || a.name.localeCompare(b.name));

/** TemplatesState holds the templates the caller may use (shared, then their own), as `.current`. */
export class TemplatesState extends LiveList<TemplateRecord> {
  constructor() {
    super({ collection: 'templates', order: byName });
  }

  /** shared is the shared templates. */
  get shared(): TemplateRecord[] {
    return this.current.filter((t) => !t.owner);
  }

  /** personal is the caller's own templates. */
  get personal(): TemplateRecord[] {
    return this.current.filter((t) => !!t.owner);
  }

  /** add saves a new template: personal for `owner`, shared when owner is ''. */
  async add(input: Pick<TemplateRecord, 'name' | 'body' | 'owner'>): Promise<TemplateRecord> {
    const t = await pb.collection('templates').create<TemplateRecord>(input.owner ? input : { name: input.name, body: input.body });
    this.upsert(t);
    return t;
  }

  /** change saves a template's new name and text. */
  async change(id: string, input: Pick<TemplateRecord, 'name' | 'body'>): Promise<TemplateRecord> {
    const t = await pb.collection('templates').update<TemplateRecord>(id, input);
    this.upsert(t);
    return t;
  }

  /** remove deletes a template. */
  async remove(id: string): Promise<void> {
    await pb.collection('templates').delete(id);
    this.drop(id);
  }
}

/** fetchMergeFields asks for the merge values of a text to `phone` ('' for a chat or group: the sender's name alone). */
export function fetchMergeFields(phone: string): Promise<MergeFields> {
  return pb.send<MergeFields>(`/api/templates/fields?phone=${encodeURIComponent(phone)}`, {});
}
