// Pure helpers of the audit log page and the reset notice: action names in
// words, a one-line summary of what an entry changed, and the notice text.
import type { AccountNotice, AuditEntry } from '../api/types';
import { formatClock, parseTime } from '../chat/time';

/** AUDIT_ACTIONS lists the actions the log holds, in words, in the order the filter offers them. */
export const AUDIT_ACTIONS: ReadonlyArray<{ value: string; label: string }> = [
  { value: 'password_reset', label: 'Password reset' },
  { value: 'role_changed', label: 'Role changed' },
  { value: 'user_disabled', label: 'User disabled' },
  { value: 'user_enabled', label: 'User enabled' },
  { value: 'user_created', label: 'User created' },
  { value: 'user_updated', label: 'User changed' },
  { value: 'sms_numbers_changed', label: 'Number permissions changed' },
  { value: 'number_created', label: 'Number added' },
  { value: 'number_updated', label: 'Number changed' },
  { value: 'number_deleted', label: 'Number deleted' },
  { value: 'smsc_link_created', label: 'SMSC link added' },
  { value: 'smsc_link_updated', label: 'SMSC link changed' },
  { value: 'smsc_link_deleted', label: 'SMSC link deleted' },
  { value: 'settings_updated', label: 'Settings changed' },
  { value: 'integration_created', label: 'Integration made' },
  { value: 'integration_updated', label: 'Integration changed' },
  { value: 'integration_revoked', label: 'Integration key revoked' },
  { value: 'broadcast_started', label: 'Broadcast started' },
  { value: 'broadcast_paused', label: 'Broadcast paused' },
  { value: 'broadcast_resumed', label: 'Broadcast resumed' },
  { value: 'broadcast_cancelled', label: 'Broadcast cancelled' },
  { value: 'notice_acknowledged', label: 'Reset notice dismissed' },
  { value: 'backup_create', label: 'Backup made' },
  { value: 'backup_upload', label: 'Backup uploaded' },
  { value: 'backup_delete', label: 'Backup deleted' },
  { value: 'backup_restore', label: 'Backup restored' },
  { value: 'backup_restore_failed', label: 'Restore failed' },
  { value: 'backup_schedule', label: 'Backup schedule changed' }
];

/** actionLabel names an action in words; unknown actions show as stored. */
export function actionLabel(action: string): string {
  return AUDIT_ACTIONS.find((a) => a.value === action)?.label ?? action;
}

function shown(value: unknown): string {
  if (value === '' || value === null || value === undefined) return '(none)';
  if (Array.isArray(value)) return value.length ? value.join(', ') : '(none)';
  return String(value);
}

/** describeDetails says in one line what an entry changed, without anything secret (the log holds none). */
export function describeDetails(entry: Pick<AuditEntry, 'action' | 'details'>): string {
  const d = (entry.details ?? {}) as Record<string, any>;
  switch (entry.action) {
    case 'role_changed':
      return `${shown(d.from)} → ${shown(d.to)}`;
    case 'sms_numbers_changed': {
      const parts: string[] = [];
      if (d.added?.length) parts.push(`added ${d.added.join(', ')}`);
      if (d.removed?.length) parts.push(`removed ${d.removed.join(', ')}`);
      if (d.default_number) parts.push(`default ${shown(d.default_number.from)} → ${shown(d.default_number.to)}`);
      return parts.join('; ');
    }
    case 'notice_acknowledged':
      return `${d.notices?.length ?? 0} notice(s)`;
    case 'backup_schedule':
      return `when: ${shown(d.cron?.old)} → ${shown(d.cron?.new)}; keep: ${shown(d.keep?.old)} → ${shown(d.keep?.new)}`;
    case 'backup_restore':
      return d.saved_as ? `data from before saved as ${d.saved_as}` : '';
    case 'backup_restore_failed':
      return shown(d.error);
    case 'broadcast_started':
      return `from ${shown(d.from)} to ${d.source === 'group' ? `group ${shown(d.group)}, ` : ''}${shown(d.recipients)} recipients, at most ${shown(d.cap)} a minute`;
    case 'broadcast_paused':
    case 'broadcast_resumed':
    case 'broadcast_cancelled':
      return `${shown(d.sent)} of ${shown(d.total)} sent`;
  }
  if (d.changes) {
    return Object.entries(d.changes as Record<string, any>)
      .map(([field, c]) => (c && 'changed' in c ? `${field} changed` : `${field}: ${shown(c?.from)} → ${shown(c?.to)}`))
      .join('; ');
  }
  if (d.fields) {
    return Object.entries(d.fields as Record<string, any>)
      .filter(([, v]) => v !== '' && v !== null && !(Array.isArray(v) && v.length === 0))
      .map(([field, v]) => (v && typeof v === 'object' && 'set' in v ? `${field} ${v.set ? 'set' : 'not set'}` : `${field}: ${shown(v)}`))
      .join('; ');
  }
  return '';
}

/** noticeText is what the person whose password was reset reads, e.g.
 * 'An administrator, Alice, reset your password on 1 Dec at 14:03 from 10.0.0.5. If you did not expect this, tell them.' */
export function noticeText(notice: AccountNotice, locale?: string): string {
  const at = parseTime(notice.created);
  const who = notice.actor_name === 'superuser' ? 'The system administrator (superuser)' : `An administrator, ${notice.actor_name},`;
  const parts = [who, 'reset your password'];
  if (at) parts.push(`on ${at.toLocaleDateString(locale, { day: 'numeric', month: 'short' })} at ${formatClock(at, locale)}`);
  if (notice.ip) parts.push(`from ${notice.ip}`);
  return `${parts.join(' ')}. If you did not expect this, tell them.`;
}
