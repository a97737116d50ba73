// Who is typing where: each signal shows "Bob is typing…" for a few seconds;
// a new signal extends it, that person's message ends it.
import { listNames } from './receipts';

/** TYPING_TTL_MS is how long one typing signal is shown. Senders repeat it every 3 s. */
export const TYPING_TTL_MS = 5000;

/** Typist is one colleague typing in a conversation. */
export interface Typist {
  user: string;
  name: string;
  /** when the indicator goes away unless a new signal comes (ms since epoch) */
  until: number;
}

/** TypingMap is conversation id → who is typing there. */
export type TypingMap = Readonly<Record<string, readonly Typist[]>>;

/** noteTyping records a typing signal. */
export function noteTyping(map: TypingMap, conversation: string, user: string, name: string, now: number): TypingMap {
  const others = (map[conversation] ?? []).filter((t) => t.user !== user);
  return { ...map, [conversation]: [...others, { user, name, until: now + TYPING_TTL_MS }] };
}

/** clearTypist ends someone's indicator (their message arrived). Returns the same map when they were not typing. */
export function clearTypist(map: TypingMap, conversation: string, user: string): TypingMap {
  const list = map[conversation];
  if (!list?.some((t) => t.user === user)) return map;
  return withList(map, conversation, list.filter((t) => t.user !== user));
}

/** clearConversation forgets everyone typing in a conversation (you left it). */
export function clearConversation(map: TypingMap, conversation: string): TypingMap {
  return map[conversation] ? withList(map, conversation, []) : map;
}

/** pruneTyping drops indicators whose time is up. Returns the same map when none is. */
export function pruneTyping(map: TypingMap, now: number): TypingMap {
  let next = map;
  for (const [conversation, list] of Object.entries(map)) {
    const live = list.filter((t) => t.until > now);
    if (live.length !== list.length) next = withList(next, conversation, live);
  }
  return next;
}

/** nextExpiry is when the next indicator goes away, or null when nobody is typing. */
export function nextExpiry(map: TypingMap): number | null {
  let next: number | null = null;
  for (const list of Object.values(map)) for (const t of list) if (next === null || t.until < next) next = t.until;
  return next;
}

/** typingText is the indicator line: "Bob is typing…", "Bob and Carol are typing…", "Several people are typing…". */
export function typingText(typists: readonly Typist[] | undefined): string {
  if (!typists?.length) return '';
  if (typists.length === 1) return `${typists[0].name} is typing…`;
  if (typists.length <= 3) return `${listNames(typists.map((t) => t.name))} are typing…`;
  return 'Several people are typing…';
}

function withList(map: TypingMap, conversation: string, list: readonly Typist[]): TypingMap {
  const next = { ...map };
  if (list.length) next[conversation] = list;
  else delete next[conversation];
  return next;
}
