// bench/search: message search over 1,000,000 messages (issue 15).
//
//   node bench/run.mjs bench/search/run.ts [--messages 1000000] [--rounds 40] [--sends 300]
//
// Conversations and people are made through the API (direct chats, groups,
// SMS threads; Bob is in most, Carol in a few). The messages are then
// written in bulk by one INSERT … SELECT run by the PocketBase binary itself
// (`migrate up` with a bench-only migration in a temporary folder, against
// the running appliance's data dir), so the index triggers fill the index as
// they would for real sends, with PocketBase's own SQLite. Measured:
//   - GET /api/search for typical queries, as Bob and as Carol (few
//     conversations: most matches are someone else's and must be skipped);
//   - the cost of a send (POST a message through the API) with the index
//     triggers and without them, in alternating batches of 25 (the triggers
//     are dropped and created again with the sqlite3 shell: DDL only);
//   - the merging that sends leave to the search-merge cron (after the seed, then after the sends);
//   - the migration's rebuild of the whole index from the stored messages
//     (`migrate down`, then `migrate up`).
// Client and PocketBase share the 2 cores: times include the client's own work.
// Each run is written to bench/results/search.json and appended to search-runs.jsonl,
// with the load average and the SQLite driver the binary was built with.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createUser, startAppliance, type SignedIn } from '../../tests/helpers/appliance';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '40' },
    sends: { type: 'string', default: '300' },
  },
});
const N = Number(values.messages);
const ROUNDS = Number(values.rounds);
const SENDS = Number(values.sends);
const root = resolve(import.meta.dirname, '..', '..');
const bin = join(root, 'build', 'pocketbase');

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const summary = (times: number[]) => {
  const s = [...times].sort((a, b) => a - b);
  return { p50_ms: +quantile(s, 0.5).toFixed(2), p95_ms: +quantile(s, 0.95).toFixed(2), max_ms: +s[s.length - 1].toFixed(2) };
};

// a vocabulary of 2,000 words: real ones first (the most frequent), made-up ones after, a few with accents
const REAL = [
  'the', 'and', 'you', 'for', 'invoice', 'order', 'thanks', 'please', 'call', 'today', 'tomorrow', 'delivery', 'payment',
  'meeting', 'price', 'quote', 'customer', 'office', 'monday', 'friday', 'week', 'last', 'next', 'sent', 'received',
  'café', 'résumé', 'naïve', 'straße', 'müller', 'señor', 'crème', 'ça', 'garçon', 'déjà',
];
const SYL = ['ka', 'lo', 'mi', 'ra', 'tu', 'ne', 'po', 'si', 'da', 've', 'zu', 'bo', 'fe', 'gi', 'ha', 'ju'];
const VOCAB = [...REAL];
for (let i = 0; VOCAB.length < 2000; i++) VOCAB.push(SYL[i % 16] + SYL[(i >> 4) % 16] + SYL[(i >> 8) % 16] + (i >> 12 ? SYL[i >> 12] : ''));

function seedMigration(conversations: { id: string; author: string; phone: string }[], n: number): string {
  const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const convRows = conversations.map((c, i) => `(${i}, ${sqlString(c.id)}, ${sqlString(c.author)}, ${sqlString(c.phone)})`).join(',');
  const wordRows = VOCAB.map((w, i) => `(${i}, ${sqlString(w)})`).join(',');
  const V = VOCAB.length;
  // a skewed word pick: the product of two pseudo-random draws favours the first words
  const word = (k: number) =>
    `(SELECT w FROM seed_word WHERE n = ((((x.n * ${7919 + k * 104729}) % 1000003) % ${V}) * (((x.n * ${15485863 + k * 32452843}) % 999983) % ${V})) / ${V})`;
  const body = [...Array.from({ length: 9 }, (_, k) => word(k)), "'ref' || (x.n % 50000)"].join(" || ' ' || ");
  const start = Date.now() / 86400000 + 2440587.5 - 365;
  const step = 365 / n;
  return `/// bench only: ${n} messages in one statement
migrate((app) => {
  const db = app.db();
  db.newQuery('CREATE TEMP TABLE seed_conv (n INTEGER PRIMARY KEY, id TEXT, author TEXT, phone TEXT)').execute();
  db.newQuery(${JSON.stringify(`INSERT INTO seed_conv VALUES ${convRows}`)}).execute();
  db.newQuery('CREATE TEMP TABLE seed_word (n INTEGER PRIMARY KEY, w TEXT)').execute();
  db.newQuery(${JSON.stringify(`INSERT INTO seed_word VALUES ${wordRows}`)}).execute();
  db.newQuery(${JSON.stringify(`WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < ${n}),
      x AS (SELECT n, strftime('%Y-%m-%d %H:%M:%fZ', ${start} + n * ${step}) AS at, (n * 2654435761) % ${conversations.length} AS cn FROM i)
    INSERT INTO messages (id, conversation, author, author_phone, body, kind, client_key, created, updated)
    SELECT printf('s%014d', x.n), c.id,
           CASE WHEN c.phone != '' AND x.n % 2 = 0 THEN '' ELSE c.author END,
           CASE WHEN c.phone != '' AND x.n % 2 = 0 THEN c.phone ELSE '' END,
           ${body}, 'text', '', x.at, x.at
      FROM x JOIN seed_conv c ON c.n = x.cn`)}).execute();
}, () => {});
`;
}

function insertCostMigration(conversation: string, author: string): string {
  return `/// bench only: the cost of the index triggers on a message INSERT; throws so that nothing stays
migrate((app) => {
  const db = app.db();
  const triggers = arrayOf(new DynamicModel({ name: '', sql: '' }));
  db.newQuery("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'message_search_%'").all(triggers);
  let n = 0;
  const batch = () => {
    const t = Date.now();
    for (let i = 0; i < 250; i++) {
      n++;
      const at = new Date(Date.now() + n).toISOString().replace('T', ' ');
      db.newQuery("INSERT INTO messages (id, conversation, author, body, kind, client_key, created, updated) VALUES ({:id}, {:c}, {:a}, {:b}, 'text', {:k}, {:t}, {:t})")
        .bind({ id: 'c' + String(n).padStart(14, '0'), c: '${conversation}', a: '${author}', b: 'invoice number ' + n + ' for the delivery on friday, thanks', k: 'cost' + n, t: at })
        .execute();
    }
    return Date.now() - t;
  };
  let on = 0, off = 0;
  for (let r = 0; r < 8; r++) {
    on += batch();
    for (const t of triggers) db.newQuery('DROP TRIGGER ' + t.name).execute();
    off += batch();
    for (const t of triggers) db.newQuery(t.sql).execute();
  }
  throw new Error('BENCH ' + on + ' ' + off + ' ' + 8 * 250);
}, () => {});
`;
}

function mergeMigration(measureOnly: boolean): string {
  return `/// bench only: the merging the search-merge cron does (doMergeSearchIndex), to the end, in one transaction${measureOnly ? '; timed, then thrown away' : ''}
migrate((app) => {
  const db = app.db();
  const t = Date.now();
  let chunks = 0;
  for (;;) {
    const before = new DynamicModel({ n: 0 });
    db.newQuery('SELECT total_changes() AS n').one(before);
    db.newQuery("INSERT INTO message_fts (message_fts, rank) VALUES ('merge', 250)").execute();
    const after = new DynamicModel({ n: 0 });
    db.newQuery('SELECT total_changes() AS n').one(after);
    if (after.n - before.n < 2) break;
    chunks++;
  }
  ${measureOnly ? "throw new Error('BENCH ' + (Date.now() - t) + ' ' + chunks);" : ''}
}, () => {});
`;
}

// async, so that the event loop keeps serving the SDK's sockets meanwhile (a blocked loop misses
// the server closing idle keep-alive connections, and the next request fails on a dead socket)
function run(args: string[], input = ''): Promise<{ status: number | null; out: string }> {
  return new Promise((ok) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.stdin.end(input);
    child.on('close', (status) => ok({ status, out }));
  });
}

// which SQLite the binary runs on (docs/build.md): the module it was built with
function sqliteDriver(): string {
  const r = spawnSync('go', ['version', '-m', bin], { encoding: 'utf8' });
  const dep = /\bdep\s+(github\.com\/mattn\/go-sqlite3|modernc\.org\/sqlite)\s+(\S+)/.exec(r.stdout ?? '');
  return dep ? `${dep[1]} ${dep[2]}` : 'unknown';
}

async function migrate(dataDir: string, migrationsDir: string, ...args: string[]): Promise<number> {
  const t = performance.now();
  const r = await run(['migrate', ...args, '--dir', dataDir, '--migrationsDir', migrationsDir], 'y\n');
  if (r.status !== 0) throw new Error(`migrate ${args.join(' ')} failed: ${r.out}`);
  return performance.now() - t;
}

const app = await startAppliance();
const tmp = mkdtempSync(join(tmpdir(), 'search-bench-'));
try {
  const su = app.superuser;
  const number = await su.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct' });
  const bob = await createUser(app, { name: 'Bob', extension: '200' });
  const carol = await createUser(app, { name: 'Carol', extension: '300' });
  const others: SignedIn[] = [];
  for (let i = 0; i < 20; i++) others.push(await createUser(app, { name: `Person ${i}`, extension: String(400 + i) }));
  for (const u of [bob, others[0], others[1]]) await su.collection('users').update(u.record.id, { sms_numbers: [number.id], default_number: number.id });

  const conversations: { id: string; author: string; phone: string }[] = [];
  for (const o of others) {
    const c = await bob.pb.send('/api/conversations/direct', { method: 'POST', body: { user: o.record.id } });
    conversations.push({ id: c.id, author: o.record.id, phone: '' });
  }
  // groups: Bob in two thirds, Carol in five
  for (let g = 0; g < 30; g++) {
    const owner = others[g % others.length];
    const members = [others[(g + 1) % others.length].record.id, ...(g % 3 ? [bob.record.id] : []), ...(g < 5 ? [carol.record.id] : [])];
    const c = await owner.pb.send('/api/conversations/group', { method: 'POST', body: { title: `Group ${g}`, members } });
    conversations.push({ id: c.id, author: owner.record.id, phone: '' });
  }
  // SMS threads on the shared number: Bob and two colleagues are in all of them
  for (let s = 0; s < 100; s++) {
    const phone = `+1201555${String(2000 + s)}`;
    const c = await bob.pb.send('/api/conversations/sms', { method: 'POST', body: { to: phone } });
    conversations.push({ id: c.id, author: bob.record.id, phone });
  }
  // conversations Bob is not in: direct chats among the others
  for (let i = 2; i < 20; i += 2) {
    for (let j = i + 1; j < Math.min(i + 6, 20); j++) {
      const c = await others[i].pb.send('/api/conversations/direct', { method: 'POST', body: { user: others[j].record.id } });
      conversations.push({ id: c.id, author: others[i].record.id, phone: '' });
    }
  }
  // Bob: the 20 direct chats, 20 of the groups, the 100 SMS threads
  const bobsShare = 140 / conversations.length;
  console.log(`${conversations.length} conversations; Bob is in 140 (${Math.round(bobsShare * 100)} %), Carol in 5`);

  const seedDir = join(tmp, 'migrations');
  mkdirSync(seedDir);
  cpSync(join(root, 'pb_migrations'), seedDir, { recursive: true });
  writeFileSync(join(seedDir, '1799999000_bench_seed.js'), seedMigration(conversations, N));
  const load: Record<string, number[]> = { start: loadavg().map((l) => +l.toFixed(2)) };
  const seedMs = await migrate(app.dataDir, seedDir, 'up');
  const dbBytes = statSync(join(app.dataDir, 'data.db')).size;
  console.log(`seeded ${N} messages with the index triggers in ${(seedMs / 1000).toFixed(1)} s; data.db ${(dbBytes / 1e6).toFixed(0)} MB`);

  // sends leave merging to the minute cron (docs/search.md); a million sends would have had a million
  // minutes of it, so run it now until FTS5 has nothing left to merge, as the cron would have
  const db = join(app.dataDir, 'data.db');
  const shell = (sql: string, json = false) => {
    const r = spawnSync('sqlite3', [...(json ? ['-json'] : []), '-cmd', '.timeout 10000', db, sql], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`sqlite3: ${r.stderr}`);
    return r.stdout;
  };
  const segments = () => Number(shell('SELECT count(DISTINCT segid) FROM message_fts_idx').trim());
  // (the cron route, POST /api/crons/search-merge, runs the job in the background: a bench migration does
  // the same merging here, synchronously, in one transaction)
  const segmentsSeeded = segments();
  writeFileSync(join(seedDir, '1799999001_bench_merge.js'), mergeMigration(false));
  const mergeMs = await migrate(app.dataDir, seedDir, 'up');
  console.log(`merged the seeded index (as the cron would have) in ${(mergeMs / 1000).toFixed(1)} s: ${segmentsSeeded} segments, then ${segments()}`);

  const search = (who: SignedIn, q: string, extra: Record<string, string> = {}) =>
    who.pb.send<{ messages: unknown[]; conversations: unknown[] }>(`/api/search?${new URLSearchParams({ q, ...extra })}`, {});
  const directWithP0 = conversations[0].id;
  const lastMonth = new Date(Date.now() - 30 * 86400000).toISOString().slice(0, 10);
  const queries: [string, SignedIn, string, Record<string, string>][] = [
    ['common word', bob, 'invoice ', {}],
    ['mid-frequency word', bob, `${VOCAB[600]} `, {}],
    ['rare word (20 messages)', bob, 'ref12345 ', {}],
    ['two words', bob, 'payment friday ', {}],
    ['prefix, 2 letters (as typed)', bob, 'pa', {}],
    ['prefix, 4 letters (as typed)', bob, 'deli', {}],
    ['phrase', bob, '"thanks please"', {}],
    ['accents folded', bob, 'creme deja ', {}],
    ['no match', bob, 'zzzqqq ', {}],
    ['common word, one conversation', bob, 'invoice ', { conversation: directWithP0 }],
    ['common word, from a colleague', bob, 'invoice ', { from: others[3].record.id }],
    ['common word, SMS only', bob, 'invoice ', { kind: 'sms' }],
    ['common word, last 30 days', bob, 'invoice ', { since: lastMonth }],
    ['rare word, first 30 days (old)', bob, 'ref123 ', { until: new Date(Date.now() - 335 * 86400000).toISOString().slice(0, 10) }],
    ['Carol (5 groups): common word', carol, 'invoice ', {}],
    ['Carol: mid-frequency word', carol, `${VOCAB[600]} `, {}],
    ['Carol: rare word', carol, 'ref12345 ', {}],
    ['Carol: two rare-ish words', carol, `${VOCAB[1500]} ${VOCAB[1600]} `, {}],
  ];
  const results: Record<string, { p50_ms: number; p95_ms: number; max_ms: number; messages: number; conversations: number }> = {};
  for (const [label, who, q, extra] of queries) {
    await search(who, q, extra); // warm
    const times: number[] = [];
    let hits = { messages: [] as unknown[], conversations: [] as unknown[] };
    for (let r = 0; r < ROUNDS; r++) {
      const t = performance.now();
      hits = await search(who, q, extra);
      times.push(performance.now() - t);
    }
    results[label] = { ...summary(times), messages: hits.messages.length, conversations: hits.conversations.length };
    console.log(`${label.padEnd(34)} ${JSON.stringify(q).padEnd(18)} p50 ${results[label].p50_ms} ms, p95 ${results[label].p95_ms} ms (${hits.messages.length} messages)`);
  }

  let seq = 0;
  const sendTimes = async (label: string, count: number) => {
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      await bob.pb.collection('messages').create({ conversation: directWithP0, body: `invoice ${label} number ${i} for the delivery on friday`, client_key: `b${++seq}` });
      times.push(performance.now() - t);
    }
    return times;
  };
  const sendSummary = (label: string, times: number[]) => {
    const s = summary(times);
    const mean = +(times.reduce((a, b) => a + b, 0) / times.length).toFixed(2);
    console.log(`send (${label}): p50 ${s.p50_ms} ms, mean ${mean} ms, p95 ${s.p95_ms} ms (${times.length} sends)`);
    return { ...s, mean_ms: mean, sends: times.length };
  };
  // the cost of indexing on a send, in alternating batches (the machine's load drifts): with the
  // triggers, then without them (dropped and created again by the sqlite3 shell: DDL only, the index stays)
  const triggers = JSON.parse(shell("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'message_search_%'", true)) as { name: string; sql: string }[];
  if (triggers.length !== 3) throw new Error(`expected the 3 index triggers, found ${triggers.length}`);
  load.sends = loadavg().map((l) => +l.toFixed(2));
  const on: number[] = [];
  const off: number[] = [];
  const BATCH = 25;
  for (let round = 0; round < Math.ceil(SENDS / BATCH); round++) {
    on.push(...(await sendTimes('with the index', BATCH)));
    shell(triggers.map((t) => `DROP TRIGGER ${t.name};`).join(''));
    off.push(...(await sendTimes('without the index', BATCH)));
    shell(triggers.map((t) => `${t.sql};`).join(''));
  }
  // the load drifts between batches: each round's pair of batches compared, then the median of those
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
  const rounds = Array.from({ length: on.length / BATCH }, (_, r) => [on.slice(r * BATCH, (r + 1) * BATCH), off.slice(r * BATCH, (r + 1) * BATCH)]);
  const pairedMean = +((median(rounds.map(([a, b]) => mean(a) / mean(b))) - 1) * 100).toFixed(1);
  const pairedMedian = +((median(rounds.map(([a, b]) => median(a) / median(b))) - 1) * 100).toFixed(1);
  console.log(`per round of 25 + 25 sends, the median of the ratios: mean +${pairedMean} %, median +${pairedMedian} %`);
  const withIndex = sendSummary('with the index', on);
  const withoutIndex = sendSummary('without the index', off);
  const overhead = +(((withIndex.p50_ms - withoutIndex.p50_ms) / withoutIndex.p50_ms) * 100).toFixed(1);
  const overheadMean = +(((withIndex.mean_ms - withoutIndex.mean_ms) / withoutIndex.mean_ms) * 100).toFixed(1);
  console.log(`indexing adds ${overhead} % to a send's p50 (${overheadMean} % to its mean)`);
  load.after_sends = loadavg().map((l) => +l.toFixed(2));
  // what the sends left to merge: the cron's work, timed in a bench migration that then throws
  const segmentsAfterSends = segments();
  const mergeDir = join(tmp, 'merge');
  mkdirSync(mergeDir);
  cpSync(seedDir, mergeDir, { recursive: true });
  writeFileSync(join(mergeDir, '1799999050_bench_merge_cost.js'), mergeMigration(true));
  const mr = await run(['migrate', 'up', '--dir', app.dataDir, '--migrationsDir', mergeDir]);
  const mm = /BENCH (\d+) (\d+)/.exec(mr.out);
  if (!mm) throw new Error(`the merge-cost migration did not report: ${mr.out}`);
  const cronAfterSends = { segments: segmentsAfterSends, ms: Number(mm[1]), chunks_of_250_pages: Number(mm[2]) };
  console.log(`merging what the ${on.length} sends left (${segmentsAfterSends} segments): ${mm[1]} ms, ${mm[2]} chunks of 250 pages`);

  // the same at the database level: the message INSERT alone, with and without the triggers, in
  // alternating batches inside a bench migration that then throws, so that nothing it wrote stays
  const costDir = join(tmp, 'cost');
  mkdirSync(costDir);
  cpSync(seedDir, costDir, { recursive: true });
  writeFileSync(join(costDir, '1799999100_bench_insert_cost.js'), insertCostMigration(directWithP0, bob.record.id));
  const r = await run(['migrate', 'up', '--dir', app.dataDir, '--migrationsDir', costDir]);
  const m = /BENCH (\d+) (\d+) (\d+)/.exec(r.out);
  if (!m) throw new Error(`the insert-cost migration did not report: ${r.out}`);
  const [onMs, offMs, inserts] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const insertCost = {
    inserts_each_way: inserts,
    with_triggers_us: +((onMs * 1000) / inserts).toFixed(1),
    without_triggers_us: +((offMs * 1000) / inserts).toFixed(1),
    overhead_percent: +(((onMs - offMs) / offMs) * 100).toFixed(1),
  };
  console.log(`message INSERT in SQL: ${insertCost.with_triggers_us} µs with the index triggers, ${insertCost.without_triggers_us} µs without (+${insertCost.overhead_percent} %)`);

  // the migration's rebuild from what is stored: down (the seed's down is empty, then every migration
  // from the index's on, so the index goes) and up again
  const fromIndex = readdirSync(join(root, 'pb_migrations')).filter((f) => /^\d+_.*\.js$/.test(f) && Number(f.split('_')[0]) >= 1795660000);
  await migrate(app.dataDir, seedDir, 'down', String(2 + fromIndex.length));
  const rebuildMs = await migrate(app.dataDir, join(root, 'pb_migrations'), 'up');
  console.log(`the migration rebuilt the index from ${N + off.length + on.length} messages in ${(rebuildMs / 1000).toFixed(1)} s`);
  await sendTimes('rebuilt', 20);
  const check = await search(bob, 'rebuilt ');
  if (check.messages.length !== 20) throw new Error(`expected the rebuilt index to find the 20 "rebuilt" sends, got ${check.messages.length}`);
  // the sends made without the triggers are found too: the rebuild took them in
  const unindexed = await search(bob, '"without the index"', { limit: '50' });
  if (unindexed.messages.length !== Math.min(50, off.length)) throw new Error(`expected the rebuild to index the sends made without triggers, got ${unindexed.messages.length}`);

  const out = {
    at: new Date().toISOString(),
    driver: sqliteDriver(),
    messages: N,
    conversations: conversations.length,
    rounds: ROUNDS,
    load_average: load,
    seed_s: +(seedMs / 1000).toFixed(1),
    merge_after_seed_s: +(mergeMs / 1000).toFixed(1),
    data_db_mb: Math.round(dbBytes / 1e6),
    rebuild_s: +(rebuildMs / 1000).toFixed(1),
    queries: results,
    insert_sql: insertCost,
    send: { with_index: withIndex, without_index: withoutIndex, overhead_p50_percent: overhead, overhead_mean_percent: overheadMean, rounds: rounds.length, round_ratio_median_of_means_percent: pairedMean, round_ratio_median_of_medians_percent: pairedMedian },
    merge_after_sends: cronAfterSends,
  };
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'search.json'), JSON.stringify(out, null, 2) + '\n');
  appendFileSync(join(root, 'bench', 'results', 'search-runs.jsonl'), JSON.stringify(out) + '\n');
  console.log('written to bench/results/search.json (and appended to search-runs.jsonl)');
} catch (err) {
  console.error(app.logs().slice(-4000));
  throw err;
} finally {
  await app.stop();
  rmSync(tmp, { recursive: true, force: true });
}
