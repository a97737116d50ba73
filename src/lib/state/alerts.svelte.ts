// How a new message gets your attention: the alert tone (chosen by the admin,
// muted per user on their own record), and a browser notification while the
// tab is in the background (permission asked once, from a button, never on load).
import { browser } from '$app/environment';
import { pb } from '$lib/api/pb';
import type { AlertTone, UserRecord } from '$lib/api/types';
import { playTone } from '$lib/chat/tones';
import { auth } from './auth.svelte';

const DISMISSED_KEY = 'notifications-prompt-dismissed';
// a burst of messages plays one tone, not a drum roll
const TONE_GAP_MS = 1500;

/** Permission is the browser's notification permission, or 'unsupported' (old browsers, plain-http pages). */
export type Permission = NotificationPermission | 'unsupported';

/** AlertRequest is one message worth an alert. */
export interface AlertRequest {
  tone: AlertTone;
  /** notification title, e.g. 'Bob' or 'Bob in Ops' */
  title: string;
  body: string;
  /** the conversation, so one notification per conversation replaces the previous one */
  tag: string;
  /** called when the notification is clicked */
  onOpen: () => void;
}

/** AlertsState plays tones and shows notifications. */
export class AlertsState {
  /** the notification permission */
  permission = $state<Permission>(readPermission());
  /** the user said "Not now" to notifications in this browser */
  dismissed = $state(browser && localStorage.getItem(DISMISSED_KEY) === '1');
  /** whether to offer turning notifications on */
  askable = $derived(this.permission === 'default' && !this.dismissed);
  /** the signed-in user muted the tone */
  muted = $derived(auth.current?.alert_muted ?? false);

  #audio: AudioContext | null = null;
  #lastTone = 0;

  constructor() {
    if (!browser) return;
    // browsers only let a page make sound after the person has interacted with
    // it: prepare the audio context on the first key or click
    const unlock = () => {
      this.#context();
      removeEventListener('pointerdown', unlock, true);
      removeEventListener('keydown', unlock, true);
    };
    addEventListener('pointerdown', unlock, true);
    addEventListener('keydown', unlock, true);
  }

  /** setMuted turns the alert tone off or on for the signed-in user, on their record. */
  async setMuted(muted: boolean): Promise<void> {
    const me = auth.current;
    if (!me) return;
    const record = await pb.collection('users').update<UserRecord>(me.id, { alert_muted: muted });
    pb.authStore.save(pb.authStore.token, record as never);
  }

  /** askPermission asks the browser for notifications (call it from a click). */
  async askPermission(): Promise<void> {
    if (this.permission === 'unsupported') return;
    this.permission = await Notification.requestPermission();
  }

  /** dismiss hides the notification offer in this browser. */
  dismiss(): void {
    this.dismissed = true;
    localStorage.setItem(DISMISSED_KEY, '1');
  }

  /** preview plays a tone now, muted or not (the settings page's Play). */
  preview(tone: AlertTone): void {
    const ctx = this.#context();
    if (ctx) playTone(ctx, tone);
  }

  /** alert plays the tone unless muted and, while the tab is hidden, shows a notification. */
  alert(request: AlertRequest): void {
    const now = Date.now();
    if (!this.muted && now - this.#lastTone > TONE_GAP_MS) {
      this.#lastTone = now;
      const ctx = this.#audio;
      if (ctx?.state === 'running') playTone(ctx, request.tone);
    }
    if (document.visibilityState === 'hidden' && this.permission === 'granted') {
      try {
        const n = new Notification(request.title, { body: request.body, tag: request.tag });
        n.onclick = () => {
          window.focus();
          request.onOpen();
          n.close();
        };
      } catch {
        // some mobile browsers only notify through a service worker; the title count still shows
      }
    }
  }

  #context(): AudioContext | null {
    if (!this.#audio && typeof AudioContext !== 'undefined') this.#audio = new AudioContext();
    if (this.#audio?.state === 'suspended') void this.#audio.resume();
    return this.#audio;
  }
}

function readPermission(): Permission {
  if (!browser || typeof Notification === 'undefined' || !isSecureContext) return 'unsupported';
  return Notification.permission;
}

/** alerts is the app-wide alert state. */
export const alerts = new AlertsState();
