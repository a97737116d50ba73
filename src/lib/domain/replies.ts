// The automatic replies to STOP, START and HELP. Carriers require a STOP
// confirmation that says how to opt back in, and a HELP reply that names
// the sender; the defaults are what the first migration seeded, and an
// admin may reword them (Admin → Settings) but not leave them empty.

/** REPLY_FIELDS are the settings fields holding the keyword replies. */
export const REPLY_FIELDS = ['stop_reply', 'start_reply', 'help_reply'] as const;
export type ReplyField = (typeof REPLY_FIELDS)[number];

/** DEFAULT_REPLIES are the replies a new appliance starts with ({label}: the business number's label). */
export const DEFAULT_REPLIES: Record<ReplyField, string> = {
  stop_reply: 'You are unsubscribed and will get no more texts from this number. Reply START to subscribe again.',
  start_reply: 'You are subscribed again. Reply STOP to unsubscribe.',
  help_reply: 'This number belongs to {label}. Reply STOP to unsubscribe.',
};

/** REPLY_MAX is the longest reply: one GSM-7 SMS. */
export const REPLY_MAX = 160;

/** checkReply returns why a keyword reply cannot be saved, or ''. */
export function checkReply(field: ReplyField, text: string): string {
  const t = text.trim();
  if (!t) return 'Carriers require this reply; write one or use the default.';
  if (Array.from(t).length > REPLY_MAX) return `Keep it to one text: ${REPLY_MAX} characters at most.`;
  if (field === 'stop_reply' && !/\bSTART\b/i.test(t)) return 'Say how to opt back in (for example "Reply START to subscribe again").';
  return '';
}
