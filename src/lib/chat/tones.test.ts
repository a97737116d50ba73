import { describe, expect, it } from 'vitest';
import { TONES, TONE_NAMES, toneLength } from './tones';

describe('TONES', () => {
  it('offers the four tones the settings allow, each short and different', () => {
    expect(TONE_NAMES).toEqual(['chime', 'ping', 'marimba', 'bell']);
    const shapes = new Set(TONE_NAMES.map((t) => JSON.stringify(TONES[t].notes)));
    expect(shapes.size).toBe(4);
    for (const t of TONE_NAMES) {
      expect(toneLength(t)).toBeGreaterThan(0.1);
      expect(toneLength(t)).toBeLessThanOrEqual(1.2);
      for (const note of TONES[t].notes) for (const [ratio] of note.partials) expect(note.freq * ratio).toBeLessThan(10_000);
    }
  });
});
