// The SQLite under PocketBase (deploy/pocketbase/sqlite.go, docs/build.md):
// compiled from C through mattn/go-sqlite3, with PocketBase's default driver
// left out, and every connection set up as PocketBase sets up its own (WAL,
// foreign keys, busy timeout…), with FTS5 for message search. Checked on the
// real binary: what it was built from, and what a migration run by it sees.
import { afterAll, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const bin = join(root, 'build', 'pocketbase');
const tmp = mkdtempSync(join(tmpdir(), 'sqlite-probe-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

it('is SQLite compiled from C, without PocketBase’s default driver', () => {
  const r = spawnSync('go', ['version', '-m', bin], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/\bdep\s+github\.com\/mattn\/go-sqlite3\s/);
  expect(r.stdout).not.toMatch(/modernc\.org\/sqlite/);
  expect(r.stdout).toMatch(/-tags=no_default_driver,sqlite_fts5,sqlite_math_functions\b/);
  expect(r.stdout).toMatch(/CGO_ENABLED=1/);
});

it('opens every connection as PocketBase does, with FTS5 and the math functions', () => {
  // a migration run by the binary itself reports what its connection sees
  const migrations = join(tmp, 'migrations');
  mkdirSync(migrations);
  writeFileSync(
    join(migrations, '1_probe.js'),
    `migrate((app) => {
      const db = app.db();
      const out = {};
      // each pragma and the name of the column it answers in
      const pragmas = { journal_mode: 'journal_mode', foreign_keys: 'foreign_keys', busy_timeout: 'timeout', synchronous: 'synchronous',
        cache_size: 'cache_size', temp_store: 'temp_store', recursive_triggers: 'recursive_triggers' };
      for (const [p, column] of Object.entries(pragmas)) {
        const row = new DynamicModel({ v: '' });
        db.newQuery('SELECT ' + column + ' AS v FROM pragma_' + p + '()').one(row);
        out[p] = String(row.v);
      }
      db.newQuery("CREATE VIRTUAL TABLE probe_fts USING fts5(body, tokenize='unicode61 remove_diacritics 2')").execute();
      db.newQuery("INSERT INTO probe_fts (body) VALUES ('Crème brûlée on Friday')").execute();
      const hit = new DynamicModel({ n: 0, e: 0 });
      db.newQuery("SELECT (SELECT count(*) FROM probe_fts WHERE probe_fts MATCH 'creme') AS n, exp(0) + pi() * 0 AS e").one(hit);
      out.fts_hits = hit.n;
      out.exp0 = hit.e;
      console.log('PROBE ' + JSON.stringify(out));
    }, () => {});`,
  );
  const r = spawnSync(bin, ['migrate', 'up', '--dir', join(tmp, 'data'), '--migrationsDir', migrations], { encoding: 'utf8' });
  // (migrate exits 0 even when a migration fails: the probe's line is what counts)
  const out = r.stdout + r.stderr;
  expect(r.status, out).toBe(0);
  const probe = JSON.parse(/PROBE (\{.*\})/.exec(out)?.[1] ?? JSON.stringify(out));
  expect(probe).toEqual({
    journal_mode: 'wal',
    foreign_keys: '1',
    busy_timeout: '10000',
    synchronous: '1', // NORMAL
    cache_size: '-32000',
    temp_store: '2', // MEMORY
    recursive_triggers: '0',
    fts_hits: 1,
    exp0: 1,
  });
});
