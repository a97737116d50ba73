// Links that are down, in words for the people who send through them: the
// Messages-tab banner and the status under a text that waits. Pure; the
// state class (state/outages.svelte.ts) fetches GET /api/sms/outages.
import type { Outage } from '../api/types';
import { formatPhone } from '../domain/phone';

/** clockOf says when an outage began: "12:03" today, "3 Dec, 12:03" before; '' without a time. */
export function clockOf(value: string, now: Date, locale?: string): string {
  if (!value) return '';
  const date = new Date(value.replace(' ', 'T'));
  if (Number.isNaN(date.getTime())) return '';
  const clock = date.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  if (date.toDateString() === now.toDateString()) return clock;
  return `${date.toLocaleDateString(locale, { day: 'numeric', month: 'short' })}, ${clock}`;
}

// "is down since 12:03", "is disabled", "refuses the login since 12:03"
function what(o: Outage, now: Date, locale?: string): string {
  const since = clockOf(o.down_since, now, locale);
  const verb = o.state === 'disabled' ? 'is switched off' : o.state === 'auth_failed' ? 'refuses our login' : 'is down';
  return since ? `${verb} since ${since}` : verb;
}

/** outageFor finds the outage a business number's texts wait for; undefined when its link works. */
export function outageFor(from: string, outages: readonly Outage[]): Outage | undefined {
  return outages.find((o) => o.numbers.includes(from));
}

/** waitingLabel is the status of a text that waits: "Waiting for the SMSC link 'Gateway' (down since 12:03)". */
export function waitingLabel(o: Outage, now: Date, locale?: string): string {
  const since = clockOf(o.down_since, now, locale);
  const state = o.state === 'disabled' ? 'switched off' : o.state === 'auth_failed' ? 'login refused' : 'down';
  return `Waiting for the SMSC link '${o.name}' (${state}${since ? ` since ${since}` : ''})`;
}

/**
 * outageBanners are the Messages-tab lines for the outages that hold texts
 * from the person's own SMS numbers: "Texts from (201) 555-0100 will wait:
 * the SMSC link 'Gateway' is down since 12:03."
 */
export function outageBanners(outages: readonly Outage[], myNumbers: readonly string[], country: string, now: Date, locale?: string): string[] {
  return outages
    .map((o) => {
      const mine = o.numbers.filter((_, i) => myNumbers.includes(o.number_ids[i]));
      if (mine.length === 0) return '';
      const shown = mine.map((n) => formatPhone(n, country)).join(', ');
      return `Texts from ${shown} will wait: the SMSC link '${o.name}' ${what(o, now, locale)}. They go out when it is back.`;
    })
    .filter(Boolean);
}
