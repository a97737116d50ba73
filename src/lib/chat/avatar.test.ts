import { describe, expect, it } from 'vitest';
import { AVATAR_COLOURS, avatarColour, initialsOf } from './avatar';

/** contrast is the WCAG contrast ratio of two #rrggbb colours. */
function contrast(a: string, b: string): number {
  const lum = (hex: string) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

describe('initials avatars', () => {
  it.each([
    ['Bob Baker', 'BB'],
    ['alice', 'A'],
    ['Ana María de la Peña', 'AP'],
    ['Delivery team (night shift)', 'DS'],
    ['Émile Zola', 'ÉZ'],
    ['+1 415 555 0100', '#'],
    ['', '#']
  ])('%s → %s', (name, initials) => {
    expect(initialsOf(name)).toBe(initials);
  });

  it('gives a name the same colour every time, and different names different colours', () => {
    expect(avatarColour('Bob Baker')).toBe(avatarColour('bob baker '));
    const names = ['Alice', 'Bob', 'Carol', 'Dave', 'Erin', 'Frank', 'Grace', 'Heidi'];
    expect(new Set(names.map(avatarColour)).size).toBeGreaterThan(4);
  });

  it('every colour carries white text at WCAG AA contrast (4.5:1)', () => {
    for (const c of AVATAR_COLOURS) expect(contrast(c, '#ffffff')).toBeGreaterThanOrEqual(4.5);
  });
});
