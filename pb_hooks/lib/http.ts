// Helpers for reading request bodies and answering with errors that carry
// field messages in PocketBase's usual shape (`data.<field>.message`).

/** badField throws a 400 whose data points at one field, the way record validation does. */
export function badField(field: string, message: string, code = 'validation_invalid'): never {
  throw new BadRequestError(message, { [field]: new ValidationError(code, message) });
}

/** bodyString reads a string field of the request body, trimmed; anything else is "". */
export function bodyString(body: { [key: string]: any }, key: string): string {
  const v = body[key];
  return typeof v === 'string' ? v.trim() : '';
}
