// "Test connection": a probe binds and unbinds against the in-suite SMSC
// simulator and says in words what went wrong and where.
import { createServer, type Server } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { probeLink, type ProbeTarget } from '../src/session/probe.js';
import { log, until } from './helpers.js';
import { SmscSimulator } from './smsc-simulator.js';

let sim: SmscSimulator;
beforeEach(async () => {
  sim = await SmscSimulator.start({ system_id: 'bridge', password: 'secret' });
});
afterEach(async () => {
  await sim.close();
});

const target = (over: Partial<ProbeTarget> = {}): ProbeTarget => ({
  host: '127.0.0.1',
  port: sim.port,
  credentials: { system_id: 'bridge', password: 'secret', system_type: '' },
  bind: 'trx',
  timeoutMs: 2000,
  ...over,
});

describe('probeLink', () => {
  it('binds as transceiver and unbinds', async () => {
    const r = await probeLink(target(), log);
    expect(r).toMatchObject({ ok: true, stage: 'done' });
    expect(r.message).toMatch(/^Connected, bound as transceiver.* and unbound\.$/);
    await until(() => sim.sessions.size === 0);
  });

  it('binds each half of a transmitter + receiver pair', async () => {
    const r = await probeLink(target({ bind: 'tx_rx' }), log);
    expect(r.ok).toBe(true);
    expect(r.message).toContain('as transmitter and receiver');
  });

  it('says the password was refused', async () => {
    const r = await probeLink(target({ credentials: { system_id: 'bridge', password: 'wrong', system_type: '' } }), log);
    expect(r).toMatchObject({ ok: false, stage: 'bind' });
    expect(r.message).toMatch(/refused/);
    expect(r.message).toMatch(/ESME_R\w+ \(0x/);
  });

  it('says nothing listens on the port', async () => {
    const port = sim.port;
    await sim.close();
    const r = await probeLink(target({ port }), log);
    expect(r).toMatchObject({ ok: false, stage: 'connect' });
    expect(r.message).toContain(`Could not connect to 127.0.0.1:${port}`);
    expect(r.message).toContain('ECONNREFUSED');
    sim = await SmscSimulator.start();
  });

  it('says when a port accepts but never answers the bind', async () => {
    const silent: Server = createServer(() => {});
    await new Promise<void>((ok) => silent.listen(0, '127.0.0.1', ok));
    try {
      const r = await probeLink(target({ port: (silent.address() as { port: number }).port, timeoutMs: 300 }), log);
      expect(r).toMatchObject({ ok: false, stage: 'bind' });
      expect(r.message).toContain('did not answer bind_transceiver');
    } finally {
      silent.close();
    }
  });
});
