// Commands the README prints, read exactly as printed, so tests run what a
// reader would copy.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** readmeCurl returns the README's curl example for the send API (it reads $APPLIANCE and $API_KEY). */
export function readmeCurl(): string {
  const readme = readFileSync(join(resolve(import.meta.dirname, '..', '..'), 'README.md'), 'utf8');
  const block = /```sh\n(curl [^`]*?\/api\/v1\/sms[^`]*?)```/.exec(readme);
  if (!block) throw new Error('README.md has no ```sh block with the curl example for /api/v1/sms');
  return block[1];
}
