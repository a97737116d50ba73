// fts-insert measures what the message search index adds to one message
// INSERT in the two SQLite drivers PocketBase can run on: modernc.org/sqlite
// (SQLite's C translated to Go, PocketBase's default) and mattn/go-sqlite3
// (SQLite compiled from C with cgo, what deploy/pocketbase/sqlite.go makes
// the appliance use). Each variant starts from a fresh database warmed with
// -warm messages in one transaction, then times -n autocommit INSERTs, as a
// send commits one message.
//
//	cd bench/search/fts-insert && go run -tags sqlite_fts5 . -warm 20000 -n 2000 [-driver sqlite3,sqlite]
//
// Each variant is measured in each driver in turn, so that both see the same
// load.
//
// Figures: bench/results/search-fts-insert.txt; docs/search.md, "Cost on a send".
package main

import (
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3"
	_ "modernc.org/sqlite"
)

type variant struct {
	name    string
	fts     string // the CREATE VIRTUAL TABLE options; "" for no index
	trigger string
	merging bool // automerge 0 + crisismerge 64, as migration 1795740000 sets
}

const today = "content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2', prefix='2 3'"

const bothTables = `CREATE TRIGGER t AFTER INSERT ON messages WHEN new.body != '' BEGIN
  INSERT INTO message_search (message) VALUES (new.id);
  INSERT INTO message_fts (rowid, body) VALUES (last_insert_rowid(), new.body); END`

var variants = []variant{
	{name: "no index"},
	{name: "message_search only", fts: today, trigger: "CREATE TRIGGER t AFTER INSERT ON messages BEGIN INSERT INTO message_search (message) VALUES (new.id); END"},
	{name: "index as built (merging in cron)", fts: today, trigger: bothTables, merging: true},
	{name: "index, FTS5's default merging", fts: today, trigger: bothTables},
	{name: "index, no prefix indexes", fts: "content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2'", trigger: bothTables, merging: true},
	{name: "index, ascii tokenizer, no prefix", fts: "content='', contentless_delete=1, tokenize='ascii'", trigger: bothTables, merging: true},
}

var drivers = flag.String("driver", "sqlite3,sqlite", "the drivers, in turn for each variant: sqlite (modernc), sqlite3 (mattn, cgo)")

func measure(dir, driver string, v variant, warm, n int) time.Duration {
	path := filepath.Join(dir, "m.db")
	for _, s := range []string{"", "-wal", "-shm"} {
		os.Remove(path + s)
	}
	db, err := sql.Open(driver, path)
	must(err)
	defer db.Close()
	db.SetMaxOpenConns(1)
	exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")
	exec(db, "CREATE TABLE messages (id TEXT PRIMARY KEY, body TEXT)")
	exec(db, "CREATE TABLE message_search (rid INTEGER PRIMARY KEY, message TEXT NOT NULL UNIQUE)")
	if v.fts != "" {
		exec(db, "CREATE VIRTUAL TABLE message_fts USING fts5(body, "+v.fts+")")
	}
	if v.merging {
		exec(db, "INSERT INTO message_fts(message_fts, rank) VALUES('automerge', 0)")
		exec(db, "INSERT INTO message_fts(message_fts, rank) VALUES('crisismerge', 64)")
	}
	if v.trigger != "" {
		exec(db, v.trigger)
	}
	tx, err := db.Begin()
	must(err)
	for i := 0; i < warm; i++ {
		_, err := tx.Exec("INSERT INTO messages VALUES (?, ?)", fmt.Sprintf("w%d", i), fmt.Sprintf("invoice number %d for the delivery on friday, thanks please call back %d", i, i*7))
		must(err)
	}
	must(tx.Commit())
	start := time.Now()
	for i := 0; i < n; i++ {
		_, err := db.Exec("INSERT INTO messages VALUES (?, ?)", fmt.Sprintf("m%d", i), fmt.Sprintf("invoice with the index number %d for the delivery on friday", i))
		must(err)
	}
	return time.Since(start) / time.Duration(n)
}

func main() {
	warm := flag.Int("warm", 20000, "messages already indexed")
	n := flag.Int("n", 2000, "INSERTs timed, each its own transaction")
	rounds := flag.Int("rounds", 2, "times each variant is measured")
	flag.Parse()
	dir, err := os.MkdirTemp("", "fts-insert")
	must(err)
	defer os.RemoveAll(dir)
	fmt.Printf("%d messages warm, %d autocommit INSERTs each\n", *warm, *n)
	for r := 0; r < *rounds; r++ {
		for _, v := range variants {
			for _, d := range strings.Split(*drivers, ",") {
				fmt.Printf("%-8s %-36s %6.0f µs per INSERT\n", d, v.name, float64(measure(dir, d, v, *warm, *n).Microseconds()))
			}
		}
	}
}

func exec(db *sql.DB, q string) {
	_, err := db.Exec(q)
	must(err)
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
