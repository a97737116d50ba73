// The built-in alert tones, synthesized with the Web Audio API (no audio
// files to ship). Each tone is a few notes; each note a few sine partials
// with a fast attack and an exponential decay.
import type { AlertTone } from '../api/types';

/** Note is one struck note of a tone. */
export interface Note {
  /** start, seconds after the tone begins */
  at: number;
  /** fundamental frequency, Hz */
  freq: number;
  /** seconds until the note has died away */
  decay: number;
  /** [frequency ratio to the fundamental, relative loudness] */
  partials: readonly (readonly [number, number])[];
}

/** ToneSpec is a named tone. */
export interface ToneSpec {
  label: string;
  notes: readonly Note[];
}

const sine: Note['partials'] = [[1, 1], [2, 0.15]];

/** TONES are the tones an admin can choose from, in the order offered. */
export const TONES: Readonly<Record<AlertTone, ToneSpec>> = {
  chime: {
    label: 'Chime',
    notes: [
      { at: 0, freq: 1046.5, decay: 0.55, partials: sine },
      { at: 0.13, freq: 1568, decay: 0.7, partials: sine }
    ]
  },
  ping: {
    label: 'Ping',
    notes: [{ at: 0, freq: 1760, decay: 0.3, partials: [[1, 1]] }]
  },
  marimba: {
    label: 'Marimba',
    notes: [
      { at: 0, freq: 784, decay: 0.22, partials: [[1, 1], [4, 0.3]] },
      { at: 0.09, freq: 1046.5, decay: 0.22, partials: [[1, 1], [4, 0.3]] },
      { at: 0.18, freq: 1318.5, decay: 0.3, partials: [[1, 1], [4, 0.3]] }
    ]
  },
  bell: {
    label: 'Bell',
    notes: [{ at: 0, freq: 880, decay: 1.1, partials: [[1, 1], [2.76, 0.45], [5.4, 0.2], [8.93, 0.08]] }]
  }
};

/** TONE_NAMES lists the tones in the order offered. */
export const TONE_NAMES = Object.keys(TONES) as AlertTone[];

/** toneLength is how long a tone sounds, in seconds. */
export function toneLength(tone: AlertTone): number {
  return Math.max(...TONES[tone].notes.map((n) => n.at + n.decay));
}

/** playTone schedules a tone on an audio context at the given volume (0–1). */
export function playTone(ctx: BaseAudioContext, tone: AlertTone, volume = 0.3): void {
  const start = ctx.currentTime + 0.01;
  const master = ctx.createGain();
  master.gain.value = volume;
  master.connect(ctx.destination);
  for (const note of TONES[tone].notes) {
    const t = start + note.at;
    const total = note.partials.reduce((sum, [, g]) => sum + g, 0);
    for (const [ratio, loudness] of note.partials) {
      const osc = ctx.createOscillator();
      osc.type = 'sine';
      osc.frequency.value = note.freq * ratio;
      const env = ctx.createGain();
      env.gain.setValueAtTime(0.0001, t);
      env.gain.linearRampToValueAtTime(loudness / total, t + 0.005);
      // higher partials fade faster, as on a struck bar or bell
      env.gain.exponentialRampToValueAtTime(0.0001, t + note.decay / Math.sqrt(ratio));
      osc.connect(env).connect(master);
      osc.start(t);
      osc.stop(t + note.decay + 0.05);
    }
  }
}
