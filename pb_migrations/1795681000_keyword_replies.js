/// <reference path="../build/pocketbase-types.d.ts" />
// Keyword auto-replies (issue 18): per business number, a keyword besides
// STOP / START / HELP and the text sent back when a phone texts exactly that
// word. Admins only; the hooks check the keyword and the reply
// (lib/autoreplies.ts). docs/integrations.md, "Keyword auto-replies".

const USER = '@request.auth.collectionName = "users"';
const ADMIN = USER + ' && @request.auth.role = "admin"';

migrate(
  (app) => {
    const numbers = app.findCollectionByNameOrId('numbers');
    const replies = new Collection({
      type: 'base',
      name: 'keyword_replies',
      listRule: ADMIN,
      viewRule: ADMIN,
      createRule: ADMIN,
      updateRule: ADMIN,
      deleteRule: ADMIN,
      fields: [
        { name: 'our_number', type: 'relation', required: true, collectionId: numbers.id, maxSelect: 1, cascadeDelete: true },
        // in capitals, as matched (keywordOf)
        { name: 'keyword', type: 'text', required: true, max: 20 },
        { name: 'reply', type: 'text', required: true, max: 2000 },
        { name: 'created', type: 'autodate', onCreate: true },
        { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
      ],
      indexes: ['CREATE UNIQUE INDEX idx_keyword_replies_number_keyword ON keyword_replies (our_number, keyword)'],
    });
    app.save(replies);
  },
  (app) => {
    app.delete(app.findCollectionByNameOrId('keyword_replies'));
  },
);
