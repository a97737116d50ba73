/// <reference path="../build/pocketbase-types.d.ts" />
// Message search (issue 15, docs/search.md): an SQLite FTS5 index of the
// words of every text message, kept in step with `messages` by triggers, so
// that every way a message is written (a record save in a hook, a raw INSERT,
// a cascade delete) updates the index in the same transaction.
//
// `message_search` gives each indexed message a stable integer (`rid`, an
// INTEGER PRIMARY KEY: VACUUM keeps it, unlike the implicit rowid of
// `messages`, whose primary key is text) in the order messages were written,
// so the index can be read newest first. `message_fts` is contentless (the
// text stays in `messages` only) with deletes allowed, tokenised by
// unicode61 with remove_diacritics 2 (case and accents ignored, any language
// that separates words with spaces or punctuation), with prefix indexes for
// two- and three-letter starts of words. System lines are not indexed.

const TRIGGERS = [
  `CREATE TRIGGER message_search_insert AFTER INSERT ON messages
     WHEN new.kind IS NOT 'system' AND new.body != ''
   BEGIN
     INSERT INTO message_search (message) VALUES (new.id);
     INSERT INTO message_fts (rowid, body) VALUES ((SELECT rid FROM message_search WHERE message = new.id), new.body);
   END`,
  `CREATE TRIGGER message_search_delete AFTER DELETE ON messages
   BEGIN
     DELETE FROM message_fts WHERE rowid = (SELECT rid FROM message_search WHERE message = old.id);
     DELETE FROM message_search WHERE message = old.id;
   END`,
  // messages are not edited today; if they ever are, the index follows
  `CREATE TRIGGER message_search_update AFTER UPDATE OF body, kind ON messages
   BEGIN
     DELETE FROM message_fts WHERE rowid = (SELECT rid FROM message_search WHERE message = old.id);
     DELETE FROM message_search WHERE message = old.id AND (new.kind IS 'system' OR new.body = '');
     INSERT OR IGNORE INTO message_search (message) SELECT new.id WHERE new.kind IS NOT 'system' AND new.body != '';
     INSERT INTO message_fts (rowid, body)
       SELECT rid, new.body FROM message_search WHERE message = new.id;
   END`,
];

migrate(
  (app) => {
    const db = app.db();
    db.newQuery('CREATE TABLE message_search (rid INTEGER PRIMARY KEY, message TEXT NOT NULL UNIQUE)').execute();
    db.newQuery(
      "CREATE VIRTUAL TABLE message_fts USING fts5(body, content='', contentless_delete=1, " +
        "tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    ).execute();
    // what was said before this migration, oldest first
    db.newQuery(
      "INSERT INTO message_search (message) SELECT id FROM messages WHERE kind IS NOT 'system' AND body != '' ORDER BY created, rowid",
    ).execute();
    db.newQuery(
      'INSERT INTO message_fts (rowid, body) SELECT s.rid, m.body FROM message_search s JOIN messages m ON m.id = s.message',
    ).execute();
    for (const sql of TRIGGERS) db.newQuery(sql).execute();
  },
  (app) => {
    const db = app.db();
    for (const t of ['message_search_insert', 'message_search_delete', 'message_search_update']) {
      db.newQuery(`DROP TRIGGER IF EXISTS ${t}`).execute();
    }
    db.newQuery('DROP TABLE IF EXISTS message_fts').execute();
    db.newQuery('DROP TABLE IF EXISTS message_search').execute();
  },
);
