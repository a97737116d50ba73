/// <reference path="../build/pocketbase-types.d.ts" />
// Everything an SMSC hands over is stored: senders that are not phone
// numbers (alphanumeric sender IDs such as ACMEBANK, short codes such as
// 72975) become external participants as written, and inbound texts are
// kept whole (a 255-part concatenated SMS is up to 39,015 GSM characters).
// What people post keeps its own limit (MAX_BODY, checked by the hooks).

const E164 = '^\\+[1-9][0-9]{6,14}$';
// an SMPP address as the SMSC wrote it: up to 20 characters, no controls,
// not starting with a space
const ANY_SENDER = '^[^\\s\\x00-\\x1F][^\\x00-\\x1F]{0,19}$';
const LONGEST_INBOUND = 40000;

migrate(
  (app) => {
    const participants = app.findCollectionByNameOrId('participants');
    participants.fields.getByName('phone').pattern = ANY_SENDER;
    app.save(participants);

    const messages = app.findCollectionByNameOrId('messages');
    messages.fields.getByName('body').max = LONGEST_INBOUND;
    app.save(messages);

    const inbound = app.findCollectionByNameOrId('inbound_log');
    inbound.fields.getByName('body').max = LONGEST_INBOUND;
    app.save(inbound);
  },
  (app) => {
    const participants = app.findCollectionByNameOrId('participants');
    participants.fields.getByName('phone').pattern = E164;
    app.save(participants);

    const messages = app.findCollectionByNameOrId('messages');
    messages.fields.getByName('body').max = 4000;
    app.save(messages);

    const inbound = app.findCollectionByNameOrId('inbound_log');
    inbound.fields.getByName('body').max = 20000;
    app.save(inbound);
  },
);
