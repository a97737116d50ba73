import { describe, expect, it } from 'vitest';
import { DEFAULT_REPLIES, REPLY_FIELDS, checkReply } from './replies';

describe('keyword replies', () => {
  it('accepts the defaults', () => {
    for (const f of REPLY_FIELDS) expect(checkReply(f, DEFAULT_REPLIES[f])).toBe('');
  });
  it('refuses an empty or over-long reply, and a STOP reply that does not say how to come back', () => {
    expect(checkReply('help_reply', '  ')).toBe('Carriers require this reply; write one or use the default.');
    expect(checkReply('start_reply', 'x'.repeat(161))).toBe('Keep it to one text: 160 characters at most.');
    expect(checkReply('stop_reply', 'Bye.')).toMatch(/^Say how to opt back in/);
    expect(checkReply('stop_reply', 'Bye. Text start to come back.')).toBe('');
  });
});
