// Submission state of one form: busy flag, form message, field messages.
import { readError, type ReadErrorOptions } from '$lib/api/errors';

/** FormState runs a form's action and keeps what went wrong for display. */
export class FormState {
  /** true while the action runs */
  busy = $state(false);
  /** message for the whole form; empty when there is none */
  message = $state('');
  /** messages per field name */
  errors = $state<Record<string, string>>({});

  #options: ReadErrorOptions;

  constructor(options: ReadErrorOptions = {}) {
    this.#options = options;
  }

  /** submit runs action unless one is already running; returns whether it succeeded. */
  async submit(action: () => Promise<void>): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    this.message = '';
    this.errors = {};
    try {
      await action();
      return true;
    } catch (err) {
      const read = readError(err, this.#options);
      this.message = read.message;
      this.errors = read.fields;
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** fail shows a message found before calling the server (e.g. passwords differ). */
  fail(field: string, message: string): void {
    this.errors = { [field]: message };
    this.message = '';
  }
}
