// Message templates: checked when saved (name, body, merge fields, who may
// make a shared or a personal one) and the merge values of a phone for the
// compose box's preview: the contact the caller sees for that phone (their
// personal contact first, then the shared phonebook, as the names shown in
// the inbox) and their own name. Rendering itself is pure
// (src/lib/domain/templates.ts). Imports only http. docs/templates.md.
import { badField } from './http';
import { checkTemplateBody, checkTemplateName, mergeValuesOf, type MergeValues } from '../../src/lib/domain/templates';
import { cleanLabel } from '../../src/lib/domain/text';

/**
 * checkTemplate refuses a template record about to be saved, naming the
 * field: name, body, a name already used in the same list (shared, or one
 * person's). Who may save it is the API rules' job, checked before this runs
 * (a create for someone else, or a shared one by a member, is a plain 400).
 */
export function checkTemplate(app: CoreApp, record: core.Record): void {
  const owner = record.getString('owner');
  const nameProblem = checkTemplateName(record.getString('name'));
  if (nameProblem) badField('name', nameProblem);
  const name = cleanLabel(record.getString('name'));
  record.set('name', name);
  const bodyProblem = checkTemplateBody(record.getString('body'));
  if (bodyProblem) badField('body', bodyProblem);
  // (an empty placeholder matched no empty relation here, hence the literal "")
  const filter = `${owner ? 'owner = {:o}' : 'owner = ""'} && name:lower = {:n}${record.id ? ' && id != {:id}' : ''}`;
  const same = app.findRecordsByFilter('templates', filter, '', 1, 0, { o: owner, n: name.toLowerCase(), id: record.id });
  if (same.length) badField('name', owner ? `You already have a template named “${name}”.` : `There is already a shared template named “${name}”.`);
}

/** MergeFields are a phone's merge values as a user sees them, and the contact they come from (null: no contact has the number). */
export interface MergeFields {
  values: MergeValues;
  contact: { id: string; name: string; source: 'personal' | 'shared' } | null;
}

/** findMergeFields returns the merge values for a text from `user` to `phone` ('' = no phone: a chat or a group). */
export function findMergeFields(app: CoreApp, user: core.Record, phone: string): MergeFields {
  let contact: MergeFields['contact'] = null;
  let company = '';
  if (phone) {
    const rows = arrayOf(new DynamicModel({ id: '', name: '', company: '', owner: '' }));
    app
      .db()
      .newQuery(
        `SELECT c.id AS id, c.name AS name, c.company AS company, n.owner AS owner
           FROM contact_numbers n JOIN contacts c ON c.id = n.contact
          WHERE n.e164 = {:p} AND (n.owner = '' OR n.owner = {:u})
          ORDER BY n.owner = '', c.name LIMIT 1`,
      )
      .bind({ p: phone, u: user.id })
      .all(rows);
    if (rows.length) {
      contact = { id: rows[0].id, name: rows[0].name, source: rows[0].owner ? 'personal' : 'shared' };
      company = rows[0].company;
    }
  }
  return { values: mergeValuesOf(contact ? { name: contact.name, company } : null, user.getString('name')), contact };
}

/** checkFieldsPhone reads the phone of a merge-fields request: empty, or E.164. */
export function checkFieldsPhone(raw: string): string {
  const phone = raw.trim();
  if (phone && !/^\+[1-9][0-9]{6,14}$/.test(phone)) badField('phone', 'Give the phone in E.164 (+…), or none for a chat.');
  return phone;
}
