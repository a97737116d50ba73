import { describe, expect, it } from 'vitest';
import { checkFileSize, decodeText, guessColumn, parseCsv, parseVcards, rowsFromCsv, toCsv, toVcards } from './files';

const VCARD3 = `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Vera Three\r\nN:Three;Vera;;;\r\nORG:Acme;Sales\r\nTEL;TYPE=CELL:(201) 555-0301\r\nTEL;TYPE=WORK,VOICE:+1 201 555 0302\r\nEMAIL;TYPE=INTERNET:vera@example.com\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:No Number\r\nEND:VCARD\r\n`;
const VCARD4 = `BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Victor Four\r\nTEL;VALUE=uri;TYPE=cell:tel:+1-201-555-0401\r\nNOTE:Prefers mornings\r\nEND:VCARD\r\n`;

describe('phonebook files', () => {
  it('refuses a file too large or in the wrong encoding with a sentence', () => {
    expect(checkFileSize(50 * 1024 * 1024)).toBe('This file is 50 MB; an import reads at most 5 MB. Split it, or export only the contacts.');
    expect(checkFileSize(0)).toBe('This file is empty.');
    expect(decodeText(new Uint8Array([0x4e, 0x61, 0xef, 0x76, 0x65]))).toMatchObject({ ok: false, error: expect.stringContaining('not UTF-8') });
    expect(decodeText(new TextEncoder().encode('\uFEFFName,Phone\nA,1'))).toEqual({ ok: true, value: 'Name,Phone\nA,1' });
  });

  it('reads CSV headers as fields, numbers with their labels', () => {
    expect(['Full Name', 'First Name', 'Organization', 'Mobile Phone', 'Phone (office)', 'E-mail Address', 'Whatever'].map((h) => guessColumn(h))).toEqual([
      { field: 'name', label: '' },
      { field: 'first', label: '' },
      { field: 'company', label: '' },
      { field: 'number', label: 'mobile' },
      { field: 'number', label: 'office' },
      { field: 'email', label: '' },
      { field: 'ignore', label: '' },
    ]);
    const t = parseCsv('First,Last,Mobile,Work\nAnn,Lee,201 555 0101; 201 555 0102,\n');
    expect(t.ok).toBe(true);
    if (!t.ok) return;
    expect(rowsFromCsv(t.value, t.value.headers.map(guessColumn))).toEqual([
      { name: 'Ann Lee', company: '', email: '', notes: '', numbers: [{ number: '201 555 0101', label: 'mobile' }, { number: '201 555 0102', label: 'mobile' }] },
    ]);
  });

  it('reads vCard 3.0 and 4.0, a card without a number included', () => {
    const three = parseVcards(VCARD3);
    expect(three).toEqual({
      ok: true,
      value: [
        { name: 'Vera Three', company: 'Acme', email: 'vera@example.com', notes: '', numbers: [{ number: '(201) 555-0301', label: 'mobile' }, { number: '+1 201 555 0302', label: 'office' }] },
        { name: 'No Number', company: '', email: '', notes: '', numbers: [] },
      ],
    });
    expect(parseVcards(VCARD4)).toEqual({ ok: true, value: [{ name: 'Victor Four', company: '', email: '', notes: 'Prefers mornings', numbers: [{ number: '+1-201-555-0401', label: 'mobile' }] }] });
    expect(parseVcards('hello')).toMatchObject({ ok: false });
  });

  it('writes CSV and vCard 4.0 that read back', () => {
    const contacts = [{ name: 'Ann, "A" Lee', company: 'X', email: '', notes: '', numbers: [{ e164: '+12015550101', label: 'mobile' }, { e164: '+12015550102', label: '' }] }];
    const csv = parseCsv(toCsv(contacts));
    if (!csv.ok) throw new Error(csv.error);
    expect(rowsFromCsv(csv.value, csv.value.headers.map(guessColumn))[0]).toMatchObject({ name: 'Ann, "A" Lee', numbers: [{ number: '+12015550101', label: 'mobile' }, { number: '+12015550102', label: '' }] });
    const cards = parseVcards(toVcards(contacts));
    expect(cards).toMatchObject({ ok: true, value: [{ name: 'Ann, "A" Lee', company: 'X', numbers: [{ number: '+12015550101', label: 'mobile' }, { number: '+12015550102', label: '' }] }] });
  });
});
