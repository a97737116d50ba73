/// <reference path="../build/pocketbase-types.d.ts" />
// Message search (issue 15, docs/search.md "Cost on a send"): the index's
// merge work moves off the send path.
//
// FTS5 writes the words of each transaction (each send) as a new small
// segment and, with its default `automerge` of 4, merges segments as they
// pile up: every 64 segment pages written, the send that crosses the line
// does 64 pages of merging per level of the index (hundreds of pages on a
// million messages), which made the mean send 55 % slower with the index.
// Here `automerge` is 0: a send only writes its own segment (FTS5 still
// merges the newest level by itself when it reaches 16 segments:
// `crisismerge`, small segments, cheap), and the minute cron `search-merge`
// (pb_hooks/75_search.pb.ts, `doMergeSearchIndex`) does the merging in short
// transactions of a few hundred pages. The index itself, its words and its
// prefixes are unchanged (no rebuild). The insert trigger also reads the
// new message's index number from last_insert_rowid() instead of looking
// it up again.
//
// Down: automerge back to FTS5's default (4) and the previous trigger.

const INSERT_TRIGGER = `CREATE TRIGGER message_search_insert AFTER INSERT ON messages
     WHEN new.kind IS NOT 'system' AND new.body != ''
   BEGIN
     INSERT INTO message_search (message) VALUES (new.id);
     INSERT INTO message_fts (rowid, body) VALUES (last_insert_rowid(), new.body);
   END`;

const PREVIOUS_INSERT_TRIGGER = `CREATE TRIGGER message_search_insert AFTER INSERT ON messages
     WHEN new.kind IS NOT 'system' AND new.body != ''
   BEGIN
     INSERT INTO message_search (message) VALUES (new.id);
     INSERT INTO message_fts (rowid, body) VALUES ((SELECT rid FROM message_search WHERE message = new.id), new.body);
   END`;

migrate(
  (app) => {
    const db = app.db();
    db.newQuery("INSERT INTO message_fts (message_fts, rank) VALUES ('automerge', 0)").execute();
    db.newQuery('DROP TRIGGER IF EXISTS message_search_insert').execute();
    db.newQuery(INSERT_TRIGGER).execute();
  },
  (app) => {
    const db = app.db();
    db.newQuery("INSERT INTO message_fts (message_fts, rank) VALUES ('automerge', 4)").execute();
    db.newQuery('DROP TRIGGER IF EXISTS message_search_insert').execute();
    db.newQuery(PREVIOUS_INSERT_TRIGGER).execute();
  },
);
