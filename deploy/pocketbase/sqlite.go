package main

// PocketBase opens its databases through SQLite compiled from C (the
// mattn/go-sqlite3 driver, cgo) instead of its default modernc.org/sqlite
// (the same C translated to Go). Both are SQLite; the C build is cheaper
// where search costs a send: writing the message search index on every send
// costs about 0.75 x what it costs in modernc (bench/search/fts-insert,
// paired), and FTS5's own merges 0.4 x; with it, indexing adds +3.6 % to
// +8.9 % to a send's p50 instead of +10 % to +19 % (docs/search.md, "Cost on
// a send"). Seeding or rebuilding the index of a million messages takes
// half the time. PocketBase documents this swap (Config.DBConnect); the
// build tag no_default_driver leaves modernc out of the binary.
//
// Built with the tags sqlite_fts5 (message search) and sqlite_math_functions
// (which modernc has too), so the SQL the hooks and migrations run is the
// same. The pragmas are PocketBase's own defaults (core/db_connect.go), set
// on every new connection.

import (
	"database/sql"

	"github.com/mattn/go-sqlite3"
	"github.com/pocketbase/dbx"
)

// sqliteDriver is the name PocketBase's databases are opened with; plain
// "sqlite3" (registered by the driver itself, no pragmas) serves read-only
// checks of a file (backups.go).
const sqliteDriver = "pb_sqlite3"

// busy_timeout first: a new connection must wait on a busy database before
// it asks for WAL mode.
const connectionPragmas = `
PRAGMA busy_timeout = 10000;
PRAGMA journal_mode = WAL;
PRAGMA journal_size_limit = 200000000;
PRAGMA synchronous = NORMAL;
PRAGMA foreign_keys = ON;
PRAGMA temp_store = MEMORY;
PRAGMA cache_size = -32000;`

func init() {
	sql.Register(sqliteDriver, &sqlite3.SQLiteDriver{
		ConnectHook: func(conn *sqlite3.SQLiteConn) error {
			_, err := conn.Exec(connectionPragmas, nil)
			return err
		},
	})
	// PocketBase's query builder is chosen by driver name
	dbx.BuilderFuncMap[sqliteDriver] = dbx.BuilderFuncMap["sqlite3"]
}

// connectDB is PocketBase's Config.DBConnect: the data and the auxiliary
// (logs) database.
func connectDB(path string) (*dbx.DB, error) {
	return dbx.Open(sqliteDriver, path)
}
