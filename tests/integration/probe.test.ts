// "Test connection" for an SMSC link: POST /api/smsc_links/test (admins)
// hands the settings to the bridge's loopback /probe, which binds and
// unbinds at the SMSC (here the in-suite simulator) and says what went wrong.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { ClientResponseError } from 'pocketbase';
import { startHttp } from '../../smsc-bridge/src/http';
import { createUser, freePort, startAppliance, type Appliance, type SignedIn } from '../helpers/appliance';
import { Metrics } from '../../smsc-bridge/src/metrics';
import { silentLogger } from '../../smsc-bridge/src/log';
import { probeLink, readProbeTarget } from '../../smsc-bridge/src/session/probe';
import { SmscSimulator } from '../../smsc-bridge/test/smsc-simulator';

const TOKEN = 'bridge-secret-for-probe-test';
let app: Appliance;
let admin: SignedIn, member: SignedIn;
let sim: SmscSimulator;
let bridgeHttp: Server;
let unusedPort: number;

beforeAll(async () => {
  sim = await SmscSimulator.start({ system_id: 'acme', password: 'pw123' });
  const log = silentLogger();
  const started = await startHttp('127.0.0.1:0', {
    health: () => ({ ok: true }),
    metrics: new Metrics(),
    probe: { token: TOKEN, run: async (body) => { const t = readProbeTarget(body); return 'error' in t ? t : probeLink({ ...t, timeoutMs: 2000 }, log); } },
  });
  bridgeHttp = started.server;
  unusedPort = await freePort();
  app = await startAppliance({ env: { APPLIANCE_BRIDGE_PASSWORD: TOKEN, BRIDGE_HTTP: `127.0.0.1:${started.address.port}` } });
  admin = await createUser(app, { name: 'Ada', extension: '100', role: 'admin' });
  member = await createUser(app, { name: 'Bob', extension: '200' });
});
afterAll(async () => {
  await app?.stop();
  bridgeHttp?.close();
  await sim?.close();
});

const test = (as: SignedIn, body: Record<string, unknown>) =>
  as.pb.send<{ ok: boolean; stage: string; message: string }>('/api/smsc_links/test', { method: 'POST', body });
const settings = (over: Record<string, unknown> = {}) => ({ host: '127.0.0.1', port: sim.port, system_id: 'acme', password: 'pw123', bind: 'trx', ...over });

describe('POST /api/smsc_links/test', () => {
  it('binds and unbinds with good settings', async () => {
    const r = await test(admin, settings());
    expect(r).toMatchObject({ ok: true, stage: 'done' });
    expect(r.message).toMatch(/^Connected, bound as transceiver/);
    expect(sim.binds.at(-1)).toMatchObject({ system_id: 'acme' });
  });

  it.each([
    ['a wrong password', { password: 'nope' }, 'bind', /refused the password.*ESME_RINVPASWD/],
    ['an unknown system_id', { system_id: 'who' }, 'bind', /does not know this system_id/],
    ['nothing listening', { port: -1 }, 'connect', /Could not connect to 127\.0\.0\.1:\d+: .*ECONNREFUSED/],
  ])('says what went wrong with %s', async (_, over, stage, message) => {
    const r = await test(admin, settings('port' in over ? { port: unusedPort } : over));
    expect(r).toMatchObject({ ok: false, stage });
    expect(r.message).toMatch(message);
  });

  it('uses the stored password of a saved link when the form leaves it empty', async () => {
    const link = await app.superuser.collection('smsc_links').create({ name: 'Carrier', host: '127.0.0.1', port: sim.port, system_id: 'acme', password: 'pw123', bind: 'trx', enabled: false });
    const r = await test(admin, settings({ id: link.id, password: '' }));
    expect(r.ok).toBe(true);
  });

  it('refuses members and settings without a host', async () => {
    const refused = await test(member, settings()).catch((e: ClientResponseError) => e);
    expect((refused as ClientResponseError).status).toBe(403);
    const bad = await test(admin, settings({ host: '' })).catch((e: ClientResponseError) => e);
    expect((bad as ClientResponseError).status).toBe(400);
    expect((bad as ClientResponseError).message).toContain('host');
  });
});
