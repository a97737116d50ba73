import { describe, expect, it } from 'vitest';
import { actionLabel, describeDetails, noticeText } from './audit';

describe('describeDetails', () => {
  it.each([
    ['role_changed', { from: 'member', to: 'admin' }, 'member → admin'],
    ['password_reset', {}, ''],
    ['sms_numbers_changed', { added: ['+15550000001'], removed: [], default_number: { from: '', to: '+15550000001' } }, 'added +15550000001; default (none) → +15550000001'],
    ['number_updated', { changes: { label: { from: 'Desk', to: 'Front' }, sms_enabled: { from: true, to: false } } }, 'label: Desk → Front; sms_enabled: true → false'],
    ['smsc_link_updated', { changes: { password: { changed: true }, port: { from: 2775, to: 2776 } } }, 'password changed; port: 2775 → 2776'],
    ['smsc_link_created', { fields: { name: 'Carrier', tls_ca: { set: false }, password: { set: true }, system_type: '' } }, 'name: Carrier; tls_ca not set; password set'],
    ['notice_acknowledged', { notices: ['a'] }, '1 notice(s)'],
    ['backup_schedule', { cron: { old: '0 3 * * *', new: '' }, keep: { old: 7, new: 7 } }, 'when: 0 3 * * * → (none); keep: 7 → 7'],
    ['backup_restore', { saved_as: 'pre_restore_20261201_101500.zip' }, 'data from before saved as pre_restore_20261201_101500.zip'],
    ['backup_restore_failed', { error: 'data.db is damaged' }, 'data.db is damaged'],
    ['backup_create', {}, ''],
  ])('%s %j → %s', (action, details, text) => {
    expect(describeDetails({ action, details })).toBe(text);
  });

  it('names known actions and shows unknown ones as stored', () => {
    expect(actionLabel('password_reset')).toBe('Password reset');
    expect(actionLabel('backup_created')).toBe('backup_created');
  });
});

describe('noticeText', () => {
  it('says who reset the password, when and from where', () => {
    const created = new Date(2026, 11, 1, 14, 3).toISOString().replace('T', ' ');
    expect(noticeText({ id: 'x', action: 'password_reset', actor_name: 'Alice', ip: '10.0.0.5', created }, 'en-GB')).toBe(
      'An administrator, Alice, reset your password on 1 Dec at 14:03 from 10.0.0.5. If you did not expect this, tell them.'
    );
  });

  it('names a superuser as the system administrator', () => {
    expect(noticeText({ id: 'x', action: 'password_reset', actor_name: 'superuser', ip: '', created: '' }, 'en-GB')).toBe(
      'The system administrator (superuser) reset your password. If you did not expect this, tell them.'
    );
  });
});

describe('broadcast entries', () => {
  it('says what a broadcast start and a pause did', () => {
    expect(describeDetails({ action: 'broadcast_started', details: { from: '+12015550100', recipients: 500, source: 'group', group: 'VIP', cap: 60 } })).toBe('from +12015550100 to group VIP, 500 recipients, at most 60 a minute');
    expect(describeDetails({ action: 'broadcast_paused', details: { sent: 120, total: 500 } })).toBe('120 of 500 sent');
    expect(actionLabel('broadcast_cancelled')).toBe('Broadcast cancelled');
  });
});
