// Session and link against the in-suite SMSC simulator: binding, window,
// timeouts, keepalive, what the SMSC sends us, reconnects and shutdown.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LinkDownError, RequestTimeoutError } from '../src/session/errors.js';
import { SmppLink } from '../src/session/link.js';
import { makePdu, type PDU } from '../src/transport/pdu.js';
import { linkOptions, log, until } from './helpers.js';
import { SmscSimulator, type SubmitAction } from './smsc-simulator.js';

const SUBMIT = {
  source_addr: '15551230001',
  destination_addr: '15557654321',
  source_addr_ton: 1,
  source_addr_npi: 1,
  dest_addr_ton: 1,
  dest_addr_npi: 1,
  data_coding: 0,
  short_message: Buffer.from('hi'),
};

let sim: SmscSimulator;
const links: SmppLink[] = [];

function newLink(over: Parameters<typeof linkOptions>[1] = {}, onInbound?: ConstructorParameters<typeof SmppLink>[1]['onInbound']): SmppLink {
  const link = new SmppLink(linkOptions(sim, over), { log, onInbound });
  links.push(link);
  return link;
}

beforeEach(async () => {
  sim = await SmscSimulator.start();
});

afterEach(async () => {
  await Promise.all(links.splice(0).map((l) => l.stop({ drainMs: 0, unbindTimeoutMs: 100 })));
  await sim.close();
});

describe('bind', () => {
  it('binds a transceiver with interface_version 0x34 and the configured credentials', async () => {
    const link = newLink();
    link.start();
    await link.waitForState('bound', 2000);
    expect(sim.binds).toHaveLength(1);
    expect(sim.binds[0]).toMatchObject({ command: 'bind_transceiver', system_id: 'bridge', password: 'secret', system_type: 'APP', interface_version: 0x34 });
    const resp = await link.submit(SUBMIT);
    expect(resp.command_status).toBe(0);
    expect(resp.message_id).toBe(sim.submits[0].id);
  });

  it('binds a transmitter and a receiver for tx_rx, and is bound only when both are', async () => {
    const link = newLink({ bind: 'tx_rx' });
    const states: string[] = [];
    link.on('state', (s: string) => states.push(s));
    link.start();
    await link.waitForState('bound', 2000);
    expect(sim.binds.map((b) => b.command).sort()).toEqual(['bind_receiver', 'bind_transmitter']);
    expect(states).toEqual(['connecting', 'bound']);
    // submit goes through the transmitter
    await link.submit(SUBMIT);
    expect(sim.submits[0].session.bound).toBe('transmitter');
  });

  it('an authentication error sets auth_failed with a readable reason and pauses instead of hammering', async () => {
    sim.bindStatus = () => 0x0e;
    const link = newLink({ authPauseMs: 60_000 });
    link.start();
    await link.waitForState('auth_failed', 2000);
    expect(link.lastError).toMatch(/refused the password/);
    // with a 20 ms base backoff a non-auth failure would retry many times in 200 ms
    await new Promise((r) => setTimeout(r, 200));
    expect(sim.binds).toHaveLength(1);
  });

  it('ESME_RALYBND backs off at least alreadyBoundMs, then binds', async () => {
    let calls = 0;
    sim.bindStatus = () => (++calls === 1 ? 0x05 : 0);
    const link = newLink({ alreadyBoundMs: 250 });
    const started = Date.now();
    link.start();
    await link.waitForState('down', 1000);
    expect(link.lastError).toMatch(/already bound/);
    await link.waitForState('bound', 2000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    expect(sim.binds).toHaveLength(2);
  });

  it('reconnects with a fresh connection after the SMSC drops it, backing off exponentially', async () => {
    const link = newLink({ reconnect: { baseMs: 50, maxMs: 1000, jitter: 0 } });
    link.start();
    await link.waitForState('bound', 2000);
    const first = sim.binds[0].session;
    sim.dropAll();
    await link.waitForState('down', 1000);
    await link.waitForState('bound', 2000);
    expect(sim.binds).toHaveLength(2);
    expect(sim.binds[1].session.id).not.toBe(first.id);
    expect(link.reconnects).toBe(1);
  });

  it('a bind that gets no answer times out and is retried', async () => {
    let calls = 0;
    // a server that accepts TCP and never answers anything
    const server: Server = createServer((sock) => {
      calls++;
      sock.on('data', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const link = newLink({ port, timers: { bindTimeoutMs: 100 } });
    link.start();
    await link.waitForState('down', 2000);
    expect(link.lastError).toMatch(/did not answer the bind/);
    await until(() => calls >= 2, 2000, 'a second attempt');
    await link.stop({ drainMs: 0, unbindTimeoutMs: 50 });
    server.close();
  });

  it('a TLS handshake that never completes is cut by the connect timeout', async () => {
    const server: Server = createServer((sock) => sock.on('data', () => {}));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const link = newLink({ port, tls: {}, connectTimeoutMs: 100 });
    link.start();
    await link.waitForState('down', 2000);
    expect(link.lastError).toMatch(/timed out after 100 ms/);
    await link.stop({ drainMs: 0, unbindTimeoutMs: 50 });
    server.close();
  });
});

describe('window and timeouts', () => {
  it('holds at most `window` submit_sm in flight and sends the rest as slots free', async () => {
    const pending: (() => void)[] = [];
    let release = false;
    sim.onSubmit = () => (release ? {} : new Promise((resolve) => pending.push(() => resolve({}))));
    const link = newLink({ window: 2 });
    link.start();
    await link.waitForState('bound', 2000);
    const results = [1, 2, 3, 4].map(() => link.submit(SUBMIT));
    await until(() => sim.submits.length === 2, 1000, 'two submits');
    expect(link.windowInUse).toBe(2);
    // nothing more goes out while the window is full
    await new Promise((r) => setTimeout(r, 30));
    expect(sim.submits).toHaveLength(2);
    pending.shift()!();
    await until(() => sim.submits.length === 3, 1000, 'the third submit');
    expect(link.windowInUse).toBe(2);
    release = true;
    pending.splice(0).forEach((p) => p());
    const resps = await Promise.all(results);
    expect(resps.map((r) => r.command_status)).toEqual([0, 0, 0, 0]);
    expect(sim.submits).toHaveLength(4);
    expect(link.windowInUse).toBe(0);
  });

  it('a submit_sm without response rejects with RequestTimeoutError and frees its slot', async () => {
    sim.onSubmit = (s): SubmitAction => (s.destination_addr === '0' ? { noResponse: true } : {});
    const link = newLink({ window: 1, timers: { responseTimeoutMs: 100 } });
    link.start();
    await link.waitForState('bound', 2000);
    await expect(link.submit({ ...SUBMIT, destination_addr: '0' })).rejects.toBeInstanceOf(RequestTimeoutError);
    expect(link.windowInUse).toBe(0);
    expect((await link.submit(SUBMIT)).command_status).toBe(0);
  });

  it('a disconnect with a full window fails in-flight requests as sent (outcome unknown) and waiting ones as not sent', async () => {
    sim.onSubmit = () => ({ noResponse: true });
    const link = newLink({ window: 2, timers: { responseTimeoutMs: 5000 } });
    link.start();
    await link.waitForState('bound', 2000);
    const results = [1, 2, 3].map((i) => link.submit({ ...SUBMIT, destination_addr: String(i) }).catch((e: unknown) => e));
    await until(() => sim.submits.length === 2, 1000, 'a full window');
    sim.dropAll();
    const errors = (await Promise.all(results)) as LinkDownError[];
    expect(errors.map((e) => e instanceof LinkDownError && e.sent)).toEqual([true, true, false]);
    await link.waitForState('bound', 2000);
  });

  it('a late response after a timeout is ignored', async () => {
    sim.onSubmit = () => ({ delayMs: 150 });
    const link = newLink({ timers: { responseTimeoutMs: 50 } });
    link.start();
    await link.waitForState('bound', 2000);
    await expect(link.submit(SUBMIT)).rejects.toBeInstanceOf(RequestTimeoutError);
    await sim.waitFor('submit');
    sim.onSubmit = () => ({});
    expect((await link.submit(SUBMIT)).command_status).toBe(0);
    expect(link.state).toBe('bound');
  });
});

describe('keepalive', () => {
  it('sends enquire_link when idle and drops a link whose SMSC stops answering it', async () => {
    const link = newLink({ timers: { enquireLinkMs: 40, enquireLinkTimeoutMs: 60, inactivityMs: 10_000 } });
    link.start();
    await link.waitForState('bound', 2000);
    await sim.waitFor('enquire_link');
    expect(link.state).toBe('bound');
    sim.answerEnquireLink = false;
    await link.waitForState('down', 2000);
    expect(link.lastError).toMatch(/enquire_link not answered/);
    sim.answerEnquireLink = true;
    await link.waitForState('bound', 2000);
  });

  it('the inactivity watchdog closes a session on which nothing arrives', async () => {
    sim.answerEnquireLink = false;
    const link = newLink({ timers: { enquireLinkMs: 10_000, enquireLinkTimeoutMs: 1000, inactivityMs: 80 } });
    link.start();
    await link.waitForState('bound', 2000);
    await link.waitForState('down', 2000);
    expect(link.lastError).toMatch(/nothing received/);
  });
});

describe('what the SMSC sends', () => {
  async function bound(onInbound?: (pdu: PDU) => Promise<number>) {
    const link = newLink({}, onInbound ? (pdu) => onInbound(pdu) : undefined);
    link.start();
    await link.waitForState('bound', 2000);
    return { link, s: sim.boundSessions()[0] };
  }

  function request(s: { lib: import('smpp').Session }, command: string, fields: Record<string, unknown> = {}): Promise<PDU> {
    return new Promise((resolve) => s.lib.send(makePdu(command, fields), resolve));
  }

  it('answers enquire_link', async () => {
    const { s } = await bound();
    const resp = await request(s, 'enquire_link');
    expect(resp.command).toBe('enquire_link_resp');
  });

  it('answers an unknown command with generic_nack ESME_RINVCMDID', async () => {
    const { s } = await bound();
    const nack = new Promise<PDU>((resolve) => s.lib.on('pdu', (p: PDU) => p.command === 'generic_nack' && resolve(p)));
    // command_id 0x00000099 does not exist
    s.lib.socket.write(Buffer.from('00000010000000990000000000000007', 'hex'));
    const p = await nack;
    expect(p.command_status).toBe(0x03);
    expect(p.sequence_number).toBe(7);
  });

  it('answers a request an ESME does not serve with its _resp and ESME_RINVCMDID', async () => {
    const { s } = await bound();
    const resp = await request(s, 'query_sm', { message_id: 'x' });
    expect(resp.command).toBe('query_sm_resp');
    expect(resp.command_status).toBe(0x03);
  });

  it('answers deliver_sm with the status the handler resolves', async () => {
    const statuses = [0, 0x64];
    await bound(async () => statuses.shift()!);
    expect((await sim.deliver({ source_addr: '1', destination_addr: '2', short_message: Buffer.from('a') })).command_status).toBe(0);
    expect((await sim.deliver({ source_addr: '1', destination_addr: '2', short_message: Buffer.from('b') })).command_status).toBe(0x64);
  });

  it('answers ESME_RX_T_APPN when the handler throws', async () => {
    await bound(async () => {
      throw new Error('store down');
    });
    expect((await sim.deliver({ source_addr: '1', destination_addr: '2', short_message: Buffer.from('a') })).command_status).toBe(0x64);
  });

  it('answers the SMSC unbind with unbind_resp, closes, and binds again', async () => {
    const { link } = await bound();
    const unbound = sim.waitFor('session-closed');
    await sim.unbindAll();
    await unbound;
    await link.waitForState('down', 1000);
    expect(link.lastError).toMatch(/unbound by the SMSC/);
    await link.waitForState('bound', 2000);
    expect(sim.binds).toHaveLength(2);
  });

  it('a garbage frame wedges nothing: the session is destroyed and a fresh one binds', async () => {
    const { link } = await bound();
    const firstSession = sim.binds[0].session.id;
    // command_length 0x00100000 is over the package's 16 KiB limit: a parse error
    sim.sendRaw(Buffer.from('0010000000000005000000000000000100', 'hex'));
    await link.waitForState('down', 1000);
    expect(link.lastError).toMatch(/connection error/);
    await link.waitForState('bound', 2000);
    expect(sim.binds[1].session.id).not.toBe(firstSession);
    expect((await link.submit(SUBMIT)).command_status).toBe(0);
  });

  it('a frame shorter than a PDU header is a parse error too', async () => {
    const { link } = await bound();
    sim.sendRaw(Buffer.from('0000000800000015', 'hex'));
    await link.waitForState('down', 1000);
    await link.waitForState('bound', 2000);
  });
});

describe('graceful stop', () => {
  it('drains the window, unbinds and waits for unbind_resp', async () => {
    sim.onSubmit = () => ({ delayMs: 80 });
    const link = newLink();
    link.start();
    await link.waitForState('bound', 2000);
    const inFlight = link.submit(SUBMIT);
    await until(() => sim.submits.length === 1, 1000, 'the submit');
    const unbind = sim.waitFor('unbind');
    await link.stop({ drainMs: 2000, unbindTimeoutMs: 1000 });
    expect((await inFlight).command_status).toBe(0);
    await unbind;
    expect(link.state).toBe('disabled');
    await expect(link.submit(SUBMIT)).rejects.toBeInstanceOf(LinkDownError);
  });

  it('gives up draining at the deadline; what is still in flight fails as outcome unknown', async () => {
    sim.onSubmit = () => ({ noResponse: true });
    const link = newLink({ timers: { responseTimeoutMs: 10_000 } });
    link.start();
    await link.waitForState('bound', 2000);
    const inFlight = link.submit(SUBMIT).catch((e: unknown) => e);
    await until(() => sim.submits.length === 1, 1000, 'the submit');
    const t0 = Date.now();
    await link.stop({ drainMs: 100, unbindTimeoutMs: 100 });
    expect(Date.now() - t0).toBeLessThan(1000);
    const err = await inFlight;
    expect(err).toBeInstanceOf(LinkDownError);
    expect((err as LinkDownError).sent).toBe(true);
  });

  it('stops promptly while waiting to reconnect', async () => {
    sim.bindStatus = () => 0x08;
    const link = newLink({ reconnect: { baseMs: 10_000, maxMs: 10_000, jitter: 0 } });
    link.start();
    await link.waitForState('down', 2000);
    const t0 = Date.now();
    await link.stop({ drainMs: 1000, unbindTimeoutMs: 1000 });
    expect(Date.now() - t0).toBeLessThan(200);
  });
});

describe('TLS', () => {
  let dir = '';
  let key = '';
  let cert = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bridge-tls-'));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=smsc.test', '-addext', 'subjectAltName=DNS:smsc.test',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    key = readFileSync(join(dir, 'key.pem'), 'utf8');
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('binds over TLS when the CA and server name are given, and refuses a certificate it cannot verify', async () => {
    const tlsSim = await SmscSimulator.start({ tls: { key, cert } });
    try {
      const good = new SmppLink(linkOptions(tlsSim, { tls: { ca: cert, servername: 'smsc.test' } }), { log });
      links.push(good);
      good.start();
      await good.waitForState('bound', 3000);
      expect((await good.submit(SUBMIT)).command_status).toBe(0);

      const wrongName = new SmppLink(linkOptions(tlsSim, { tls: { ca: cert, servername: 'other.test' } }), { log });
      links.push(wrongName);
      wrongName.start();
      await wrongName.waitForState('down', 3000);
      expect(wrongName.lastError).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID|altnames/i);

      const noCa = new SmppLink(linkOptions(tlsSim, { tls: { servername: 'smsc.test' } }), { log });
      links.push(noCa);
      noCa.start();
      await noCa.waitForState('down', 3000);
      expect(noCa.lastError).toMatch(/self.signed|SELF_SIGNED/i);
    } finally {
      await Promise.all(links.splice(0).map((l) => l.stop({ drainMs: 0, unbindTimeoutMs: 100 })));
      await tlsSim.close();
    }
  });
});

