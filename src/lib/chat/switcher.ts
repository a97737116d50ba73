// The quick switcher (Ctrl+K / Cmd+K, issue 14, item 12): what it lists for
// what you typed, as groups of results. Conversations and people come from
// here; another source (message search) adds a group of its own, so the
// dialog and its keyboard handling never need to know where results come from.

/** SwitcherTarget is where a result takes you. */
export type SwitcherTarget =
  /** open a conversation of yours */
  | { type: 'conversation'; id: string }
  /** open (or start) your direct chat with a colleague */
  | { type: 'person'; id: string }
  /** open a conversation at a message that the search found */
  | { type: 'message'; conversation: string; id: string };

/** SwitcherItem is one result. */
export interface SwitcherItem {
  /** unique across all groups */
  key: string;
  /** what it is called: a conversation's title, a colleague's name */
  label: string;
  /** a short second line: extension, kind, a snippet; '' for none */
  detail: string;
  /** the small badge before the label (CHAT, GROUP, SMS, PERSON) */
  badge: string;
  target: SwitcherTarget;
}

/** SwitcherGroup is a titled run of results, e.g. "Conversations". */
export interface SwitcherGroup {
  /** unique among the groups, stable (used for ids) */
  id: string;
  /** heading shown above its results */
  label: string;
  items: SwitcherItem[];
}

/** SwitcherConversation is what the switcher needs of a conversation, newest activity first. */
export interface SwitcherConversation {
  id: string;
  title: string;
  /** CHAT, GROUP or SMS */
  badge: string;
  /** the other person of a direct chat, so the person is not listed twice */
  person?: string;
}

/** SwitcherPerson is a colleague you may chat with. */
export interface SwitcherPerson {
  id: string;
  name: string;
  extension: string;
}

/** fold lowercases and strips accents, so "emile" finds "Émile". */
function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * matchScore ranks how well `text` matches `query`: 3 when the text starts
 * with it, 2 when a word does, 1 when it is inside, 0 when it is not there.
 * Matching ignores case and accents.
 */
export function matchScore(text: string, query: string): number {
  const t = fold(text);
  const q = fold(query.trim());
  if (!q) return 1;
  if (t.startsWith(q)) return 3;
  const at = t.indexOf(q);
  if (at < 0) return 0;
  return /[\s\-(.,/+]/.test(t[at - 1]) ? 2 : 1;
}

function best<T>(list: readonly T[], textsOf: (x: T) => string[], query: string, limit: number): T[] {
  if (!query.trim()) return list.slice(0, limit);
  return list
    .map((x, i) => ({ x, i, score: Math.max(...textsOf(x).map((t) => matchScore(t, query))) }))
    .filter((r) => r.score > 0)
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .slice(0, limit)
    .map((r) => r.x);
}

/**
 * switcherGroups lists what matches `query`: your conversations (newest
 * first among equal matches) and the colleagues you have no chat with in
 * that list yet. An empty query lists your recent conversations only.
 */
export function switcherGroups(
  query: string,
  conversations: readonly SwitcherConversation[],
  people: readonly SwitcherPerson[],
  limit = 8
): SwitcherGroup[] {
  const found = best(conversations, (c) => [c.title], query, limit);
  const groups: SwitcherGroup[] = [];
  if (found.length) {
    groups.push({
      id: 'conversations',
      label: 'Conversations',
      items: found.map((c) => ({ key: `c:${c.id}`, label: c.title, detail: '', badge: c.badge, target: { type: 'conversation', id: c.id } }))
    });
  }
  if (!query.trim()) return groups;
  const shown = new Set(found.map((c) => c.person).filter(Boolean));
  const persons = best(
    people.filter((p) => !shown.has(p.id)),
    (p) => [p.name, p.extension],
    query,
    limit
  );
  if (persons.length) {
    groups.push({
      id: 'people',
      label: 'People',
      items: persons.map((p) => ({
        key: `p:${p.id}`,
        label: p.name,
        detail: p.extension ? `ext. ${p.extension}` : '',
        badge: 'PERSON',
        target: { type: 'person', id: p.id }
      }))
    });
  }
  return groups;
}

/** flatItems lists the results of all groups in the order shown, for the arrow keys. */
export function flatItems(groups: readonly SwitcherGroup[]): SwitcherItem[] {
  return groups.flatMap((g) => g.items);
}

/** stepActive moves the highlighted result by `delta`, wrapping around; -1 when there are none. */
export function stepActive(current: number, delta: number, count: number): number {
  if (count === 0) return -1;
  if (current < 0) return delta > 0 ? 0 : count - 1;
  return (((current + delta) % count) + count) % count;
}

/** SwitcherMessage is a message the full-text search found (GET /api/search), newest first. */
export interface SwitcherMessage {
  id: string;
  conversation: string;
  /** the conversation's title as the sidebar shows it */
  title: string;
  /** who wrote it: "You", a colleague's name, a phone's name */
  author: string;
  /** the words around the match, as plain text */
  snippet: string;
}

/** messageGroup is the search's "Messages" group, after the conversations and people; none when nothing was found. */
export function messageGroup(found: readonly SwitcherMessage[], limit = 5): SwitcherGroup[] {
  if (!found.length) return [];
  return [
    {
      id: 'messages',
      label: 'Messages',
      items: found.slice(0, limit).map((m) => ({
        key: `m:${m.id}`,
        label: m.title,
        detail: `${m.author}: ${m.snippet}`,
        badge: 'MESSAGE',
        target: { type: 'message', conversation: m.conversation, id: m.id }
      }))
    }
  ];
}
