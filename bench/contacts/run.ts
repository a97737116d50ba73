// bench/contacts: contact search with a 10,000-contact phonebook (half
// shared, half one user's personal ones), 200 SMS threads as recent
// correspondents, through GET /api/contacts/search as the + New → SMS field
// asks it: the latency of each kind of query a person types, and of the
// Phonebook page's list query and the names lookup.
//
//   node bench/run.mjs bench/contacts/run.ts [--contacts 10000] [--rounds 50]
//
// Client and PocketBase share the 2 cores: times include the client's own work.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createUser, startAppliance } from '../../tests/helpers/appliance';

const { values } = parseArgs({ options: { contacts: { type: 'string', default: '10000' }, rounds: { type: 'string', default: '50' } } });
const N = Number(values.contacts);
const ROUNDS = Number(values.rounds);
const root = resolve(import.meta.dirname, '..', '..');
const FIRST = ['Ann', 'Bob', 'Carla', 'Dana', 'Eve', 'Frank', 'Gina', 'Hugo', 'Ivy', 'Jon', 'Kim', 'Liam', 'Mia', 'Noah', 'Olga', 'Pia'];
const LAST = ['Smith', 'Jones', 'Garcia', 'Miller', 'Davis', 'Lopez', 'Wilson', 'Moore', 'Taylor', 'Thomas', 'Lee', 'White'];

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

const app = await startAppliance();
try {
  const admin = await createUser(app, { name: 'Ada', extension: '100', role: 'admin' });
  const bob = await createUser(app, { name: 'Bob', extension: '200' });
  const number = await app.superuser.collection('numbers').create({ e164: '+12015550100', label: 'Main', sms_enabled: true, mode: 'direct' });
  await app.superuser.collection('users').update(bob.record.id, { sms_numbers: [number.id], default_number: number.id });
  const row = (i: number) => ({
    name: `${FIRST[i % FIRST.length]} ${LAST[(i * 7) % LAST.length]} ${i}`,
    company: i % 3 === 0 ? `Company ${i % 500}` : '',
    numbers: [{ number: `+1415${String(2000000 + i).padStart(7, '0')}`, label: 'mobile' }, ...(i % 4 === 0 ? [{ number: `+1628${String(3000000 + i).padStart(7, '0')}`, label: 'office' }] : [])],
  });
  const half = Math.floor(N / 2);
  let t = performance.now();
  await admin.pb.send('/api/contacts/import', { method: 'POST', body: { shared: true, rows: Array.from({ length: half }, (_, i) => row(i)) } });
  await bob.pb.send('/api/contacts/import', { method: 'POST', body: { rows: Array.from({ length: N - half }, (_, i) => row(half + i)) } });
  const importMs = performance.now() - t;
  for (let i = 0; i < 200; i++) await bob.pb.send('/api/conversations/sms', { method: 'POST', body: { to: `+1201555${String(1000 + i)}` } });

  const queries: [string, string][] = [
    ['one letter', 'a'],
    ['name prefix', 'dan'],
    ['full name', 'Dana Smith'],
    ['company', 'company 42'],
    ['part of a number', '555 01'],
    ['area code in brackets', '(415)'],
    ['international prefix', '+1415200'],
    ['whole number', '+14152000123'],
    ['matches nothing', 'zzzz'],
  ];
  const results: Record<string, { p50_ms: number; p95_ms: number; max_ms: number; hits: number }> = {};
  for (const [label, q] of queries) {
    const times: number[] = [];
    let hits = 0;
    for (let r = 0; r < ROUNDS; r++) {
      t = performance.now();
      const res = await bob.pb.send(`/api/contacts/search?q=${encodeURIComponent(q)}&limit=6`, {});
      times.push(performance.now() - t);
      hits = res.phonebook.length + res.directory.length + res.recent.length;
    }
    times.sort((a, b) => a - b);
    results[label] = { p50_ms: +quantile(times, 0.5).toFixed(2), p95_ms: +quantile(times, 0.95).toFixed(2), max_ms: +times[times.length - 1].toFixed(2), hits };
    console.log(`${label.padEnd(24)} "${q}": p50 ${results[label].p50_ms} ms, p95 ${results[label].p95_ms} ms (${hits} hits)`);
  }
  const timed = async (label: string, fn: () => Promise<unknown>) => {
    const times: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      t = performance.now();
      await fn();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    results[label] = { p50_ms: +quantile(times, 0.5).toFixed(2), p95_ms: +quantile(times, 0.95).toFixed(2), max_ms: +times[times.length - 1].toFixed(2), hits: 0 };
    console.log(`${label.padEnd(24)}: p50 ${results[label].p50_ms} ms, p95 ${results[label].p95_ms} ms`);
  };
  await timed('phonebook page, search', () => bob.pb.collection('contacts').getList(1, 50, { filter: bob.pb.filter('(name ~ {:q} || company ~ {:q} || email ~ {:q})', { q: 'dana' }), sort: 'name' }));
  await timed('phonebook page, number', () => bob.pb.collection('contacts').getList(1, 50, { filter: bob.pb.filter('numbers ~ {:d}', { d: '41520001' }), sort: 'name' }));
  const phones = Array.from({ length: 50 }, (_, i) => `+1415${String(2000000 + i * 97).padStart(7, '0')}`);
  await timed('names for 50 numbers', () => bob.pb.send('/api/names', { method: 'POST', body: { phones } }));
  const out = { at: new Date().toISOString(), contacts: N, rounds: ROUNDS, import_ms: Math.round(importMs), results };
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'contacts.json'), JSON.stringify(out, null, 2) + '\n');
  console.log(`import of ${N} contacts in two requests: ${Math.round(importMs)} ms; written to bench/results/contacts.json`);
} finally {
  await app.stop();
}
