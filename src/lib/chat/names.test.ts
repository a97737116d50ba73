import { describe, expect, it } from 'vitest';
import { better, namesFromContact, showName, systemText } from './names';

const contact = { id: 'c1', name: 'Rita', company: '', owner: '', numbers: [{ e164: '+12015550181', label: '' }], email: '', notes: '', created: '', updated: '' };

describe('names for numbers', () => {
  it('shows a contact’s name, a caller ID name marked as the network’s, else the formatted number', () => {
    expect(showName('+12015550181', { name: 'Rita', source: 'shared' }, 'US')).toBe('Rita');
    expect(showName('+12015550181', { name: 'SMITH J', source: 'cnam' }, 'US')).toBe('SMITH J (caller ID)');
    expect(showName('+12015550181', null, 'US')).toBe('(201) 555-0181');
    expect(showName('ACMEBANK', null, 'US')).toBe('ACMEBANK');
  });

  it('ranks your contact over the shared phonebook over caller ID', () => {
    expect(better({ name: 'a', source: 'personal' }, { name: 'b', source: 'shared' })).toBe(true);
    expect(better({ name: 'a', source: 'cnam' }, { name: 'b', source: 'shared' })).toBe(false);
    expect(better({ name: 'a', source: 'cnam' }, null)).toBe(true);
  });

  it('reads what a contact event changes', () => {
    expect(namesFromContact(contact, false)).toEqual([{ e164: '+12015550181', found: { name: 'Rita', source: 'shared', contact: 'c1' } }]);
    expect(namesFromContact({ ...contact, owner: 'u1' }, false)[0].found?.source).toBe('personal');
    expect(namesFromContact(contact, true)).toEqual([{ e164: '+12015550181', found: null }]);
  });

  it('shows the number in a system line by its name', () => {
    const m = { body: 'Alice added (201) 555-0181', event: { type: 'phone_added', phone: '+12015550181' } };
    expect(systemText(m, 'US', () => 'Rita')).toBe('Alice added Rita');
    expect(systemText({ body: 'Alice renamed the group to Ops', event: { type: 'renamed' } }, 'US', () => 'x')).toBe('Alice renamed the group to Ops');
  });
});
