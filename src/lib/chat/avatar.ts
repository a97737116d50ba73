// Initials avatars (issue 14, item 12): two letters from a name on a colour
// picked from the name, so a person or group keeps the same colour on every
// screen and in both themes. Every colour carries white text at 5:1 or more
// (WCAG AA asks 4.5:1; avatar.test.ts checks each).

/** AVATAR_COLOURS are the backgrounds an avatar may get; white text on each. */
export const AVATAR_COLOURS = [
  '#a8327a',
  '#6b4fbb',
  '#0b57d0',
  '#00696b',
  '#2e7d32',
  '#8a5300',
  '#b3261e',
  '#5f6368',
  '#1b6b8f',
  '#7b5e00'
] as const;

/** initialsOf returns up to two capital letters from a name's first and last words ("Bob Baker" → "BB"); '#' for a name without letters (a phone number). */
export function initialsOf(name: string): string {
  const words = name
    .split(/\s+/)
    .map((w) => w.replace(/[^\p{L}\p{N}]/gu, ''))
    .filter((w) => /\p{L}/u.test(w));
  if (words.length === 0) return '#';
  const first = [...words[0]][0];
  const last = words.length > 1 ? [...words[words.length - 1]][0] : '';
  return (first + last).toLocaleUpperCase();
}

/** avatarColour picks a colour of AVATAR_COLOURS from a name: the same name always gets the same one. */
export function avatarColour(name: string): string {
  let hash = 0;
  for (const ch of name.trim().toLowerCase()) hash = (Math.imul(hash, 31) + ch.codePointAt(0)!) | 0;
  return AVATAR_COLOURS[Math.abs(hash) % AVATAR_COLOURS.length];
}
