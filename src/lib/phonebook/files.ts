// Phonebook files, the pure parts: reading a file's bytes as text (with a
// sentence for the wrong encoding or a file too large), CSV with column
// mapping (papaparse), vCard 3.0 and 4.0 (ical.js, which reads both
// versions' grammar), and writing both back out. The rows go to
// POST /api/contacts/import, which checks numbers and merges duplicates.
import Papa from 'papaparse';
import ICAL from 'ical.js';

/** MAX_FILE_BYTES is the largest file the import reads: a 20,000-contact phonebook is well under it. */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;

/** ImportRow is one contact read from a file: numbers as written, checked by the server. */
export interface ImportRow {
  name: string;
  company: string;
  email: string;
  notes: string;
  numbers: { number: string; label: string }[];
}

/** ExportContact is what export writes for a contact. */
export interface ExportContact {
  name: string;
  company: string;
  email: string;
  notes: string;
  numbers: { e164: string; label: string }[] | null;
}

export type Read<T> = { ok: true; value: T } | { ok: false; error: string };

/** checkFileSize refuses a file too large to be a phonebook before reading it. */
export function checkFileSize(bytes: number): string {
  if (bytes > MAX_FILE_BYTES) {
    const mb = (bytes / 1024 / 1024).toFixed(bytes > 10 * 1024 * 1024 ? 0 : 1);
    return `This file is ${mb} MB; an import reads at most ${MAX_FILE_BYTES / 1024 / 1024} MB. Split it, or export only the contacts.`;
  }
  if (bytes === 0) return 'This file is empty.';
  return '';
}

/** decodeText reads a file's bytes as UTF-8 (or UTF-16 with its byte-order mark), or says why it cannot. */
export function decodeText(bytes: Uint8Array): Read<string> {
  try {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) return { ok: true, value: new TextDecoder('utf-16le', { fatal: true }).decode(bytes.subarray(2)) };
    if (bytes[0] === 0xfe && bytes[1] === 0xff) return { ok: true, value: new TextDecoder('utf-16be', { fatal: true }).decode(bytes.subarray(2)) };
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    if (text.includes('\u0000')) return { ok: false, error: 'This is not a text file. Choose a CSV or vCard (.vcf) file.' };
    return { ok: true, value: text };
  } catch {
    return {
      ok: false,
      error: 'This file is not UTF-8 text (it may be saved as Excel or in an old encoding). Save it as "CSV UTF-8" and import it again.',
    };
  }
}

/** looksLikeVcard says whether a text is vCards rather than CSV. */
export function looksLikeVcard(text: string): boolean {
  return /^\s*BEGIN:VCARD/i.test(text);
}

/** Field is what a CSV column holds. */
export type Field = 'ignore' | 'name' | 'first' | 'last' | 'company' | 'email' | 'notes' | 'number';

/** FIELD_LABELS name the fields in the column-mapping choices. */
export const FIELD_LABELS: Record<Field, string> = {
  ignore: 'Skip this column',
  name: 'Name',
  first: 'First name',
  last: 'Last name',
  company: 'Company',
  email: 'E-mail',
  notes: 'Notes',
  number: 'Phone number',
};

/** Column is how one CSV column is read: its field and, for a number, its label. */
export interface Column {
  field: Field;
  label: string;
}

/** CsvTable is a CSV file's header and rows. */
export interface CsvTable {
  headers: string[];
  rows: string[][];
}

/** parseCsv reads CSV text (any delimiter papaparse detects) into a header and rows. */
export function parseCsv(text: string): Read<CsvTable> {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { skipEmptyLines: 'greedy' });
  const data = parsed.data.filter((r) => r.some((cell) => cell.trim() !== ''));
  if (data.length < 2) return { ok: false, error: 'This file has a header but no contacts, or is not CSV.' };
  const fatal = parsed.errors.find((e) => e.type === 'Quotes');
  if (fatal) return { ok: false, error: `Row ${(fatal.row ?? 0) + 1} has a quote that is never closed; the file may be cut short.` };
  const headers = data[0].map((h) => h.trim());
  return { ok: true, value: { headers, rows: data.slice(1) } };
}

/** guessColumn reads a header ("Mobile Phone", "Phone (office)", "Organization") as a field. */
export function guessColumn(header: string): Column {
  const h = header.toLowerCase().trim();
  const paren = /\(([^)]*)\)/.exec(h)?.[1]?.trim() ?? '';
  if (/^(full )?name$|^display name$|^contact$/.test(h)) return { field: 'name', label: '' };
  if (/^first|^given/.test(h)) return { field: 'first', label: '' };
  if (/^last|^family|^surname/.test(h)) return { field: 'last', label: '' };
  if (/company|organi[sz]ation|^org$|business name/.test(h)) return { field: 'company', label: '' };
  if (/e-?mail/.test(h)) return { field: 'email', label: '' };
  if (/note|comment/.test(h)) return { field: 'notes', label: '' };
  if (/phone|mobile|cell|tel|number|fax|office|home|work/.test(h) && !/label|type/.test(h)) {
    const label = paren || (/mobile|cell/.test(h) ? 'mobile' : /office|work|business/.test(h) ? 'office' : /home/.test(h) ? 'home' : /fax/.test(h) ? 'fax' : '');
    return { field: 'number', label };
  }
  return { field: 'ignore', label: '' };
}

/** rowsFromCsv turns a CSV table into contacts with the chosen column mapping. */
export function rowsFromCsv(table: CsvTable, columns: Column[]): ImportRow[] {
  return table.rows.map((cells) => {
    const row: ImportRow = { name: '', company: '', email: '', notes: '', numbers: [] };
    let first = '';
    let last = '';
    columns.forEach((col, i) => {
      const v = (cells[i] ?? '').trim();
      if (!v) return;
      if (col.field === 'name') row.name = v;
      else if (col.field === 'first') first = v;
      else if (col.field === 'last') last = v;
      else if (col.field === 'company') row.company = v;
      else if (col.field === 'email') row.email = v;
      else if (col.field === 'notes') row.notes = v;
      // one cell may hold several numbers: "201 555 0101; 201 555 0102"
      else if (col.field === 'number') for (const n of v.split(/[;,\n]/)) if (n.trim()) row.numbers.push({ number: n.trim(), label: col.label });
    });
    if (!row.name) row.name = [first, last].filter(Boolean).join(' ');
    return row;
  });
}

/** telLabel reads a vCard TEL's TYPE parameter as our label. */
function telLabel(types: string[]): string {
  const t = types.map((x) => x.toLowerCase());
  if (t.includes('cell')) return 'mobile';
  if (t.includes('work')) return 'office';
  if (t.includes('home')) return 'home';
  if (t.includes('fax')) return 'fax';
  return t.find((x) => !['voice', 'pref', 'text', 'msg'].includes(x)) ?? '';
}

/** parseVcards reads vCard 3.0 and 4.0 text into contacts; a card without a number comes through (the server reports it). */
export function parseVcards(text: string): Read<ImportRow[]> {
  let parsed: unknown;
  try {
    // ical.js parses a file of several cards as a list of components
    parsed = ICAL.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    return { ok: false, error: `This vCard file cannot be read: ${(err as Error).message}` };
  }
  const list = (Array.isArray(parsed) && typeof parsed[0] === 'string' ? [parsed] : (parsed as unknown[])) as any[];
  const rows: ImportRow[] = [];
  for (const jcard of list) {
    const card = new ICAL.Component(jcard);
    if (card.name !== 'vcard') continue;
    const fn = String(card.getFirstPropertyValue('fn') ?? '').trim();
    const n = card.getFirstPropertyValue('n') as unknown;
    const fromN = Array.isArray(n) ? [n[1], n[2], n[0]].flat().filter((x) => typeof x === 'string' && x.trim()).join(' ') : '';
    const org = card.getFirstPropertyValue('org') as unknown;
    const numbers = card.getAllProperties('tel').map((p) => {
      const raw = String(p.getFirstValue() ?? '');
      const type = p.getParameter('type');
      const types = Array.isArray(type) ? type : type ? String(type).split(',') : [];
      return { number: raw.replace(/^tel:/i, '').split(';')[0], label: telLabel(types) };
    });
    rows.push({
      name: fn || fromN,
      company: Array.isArray(org) ? String(org[0] ?? '') : String(org ?? ''),
      email: String(card.getFirstPropertyValue('email') ?? ''),
      notes: String(card.getFirstPropertyValue('note') ?? ''),
      numbers,
    });
  }
  if (rows.length === 0) return { ok: false, error: 'This file has no vCards in it.' };
  return { ok: true, value: rows };
}

/** toCsv writes contacts as CSV: one "Phone (label)" column per label, which the import reads back. */
export function toCsv(contacts: readonly ExportContact[]): string {
  const labels: string[] = [];
  for (const c of contacts) for (const n of c.numbers ?? []) if (!labels.includes(n.label)) labels.push(n.label);
  const phoneColumn = (label: string) => (label ? `Phone (${label})` : 'Phone');
  const fields = ['Name', 'Company', 'Email', 'Notes', ...labels.map(phoneColumn)];
  const data = contacts.map((c) => [
    c.name,
    c.company,
    c.email,
    c.notes,
    ...labels.map((l) => (c.numbers ?? []).filter((n) => n.label === l).map((n) => n.e164).join('; ')),
  ]);
  return Papa.unparse({ fields, data });
}

/** toVcards writes contacts as vCard 4.0. */
export function toVcards(contacts: readonly ExportContact[]): string {
  return contacts
    .map((c) => {
      const card = new ICAL.Component('vcard');
      card.addPropertyWithValue('version', '4.0');
      card.addPropertyWithValue('fn', c.name);
      if (c.company) card.addPropertyWithValue('org', c.company);
      for (const n of c.numbers ?? []) {
        const tel = new ICAL.Property('tel', card);
        tel.setValue(`tel:${n.e164}`);
        tel.setParameter('value', 'uri');
        const type = { mobile: 'cell', office: 'work', home: 'home', fax: 'fax' }[n.label];
        if (type) tel.setParameter('type', type);
        card.addProperty(tel);
      }
      if (c.email) card.addPropertyWithValue('email', c.email);
      if (c.notes) card.addPropertyWithValue('note', c.notes);
      return card.toString();
    })
    .join('\r\n');
}
