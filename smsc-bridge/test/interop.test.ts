// Interop against an SMPP implementation that shares no code with ours:
// Debian's Net::SMPP (libnet-smpp-perl), as an SMSC scripted by
// test/peers/netsmpp-smsc.pl. Bind, submit with receipt, MO in GSM and
// UCS-2, and a long message each way.

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGsm7 } from '../../src/lib/domain/gsm7.js';
import { encodeUcs2 } from '../src/codec/ucs2.js';
import { Bridge } from '../src/pipeline/bridge.js';
import { MemoryStore } from '../src/pipeline/memory-store.js';
import { concatRef } from '../src/pipeline/outbound.js';
import { CUSTOMER, OUR_NUMBER, TEST_BRIDGE } from './bridge-harness.js';
import { log, until } from './helpers.js';

const SCRIPT = fileURLToPath(new URL('./peers/netsmpp-smsc.pl', import.meta.url));

/** Peer runs the perl SMSC and reads its event lines. */
class Peer {
  readonly lines: string[] = [];
  private waiters: { re: RegExp; from: number; resolve: (m: RegExpMatchArray) => void }[] = [];
  private buf = '';

  constructor(readonly proc: ChildProcessWithoutNullStreams) {
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => {
      this.buf += chunk;
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        this.lines.push(this.buf.slice(0, nl));
        this.buf = this.buf.slice(nl + 1);
      }
      this.check();
    });
  }

  /** waitLine resolves with the first line (at index ≥ from) matching re. */
  waitLine(re: RegExp, timeoutMs = 3000, from = 0): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Net::SMPP peer: no line matching ${re} within ${timeoutMs} ms; saw:\n${this.lines.join('\n')}`)), timeoutMs);
      this.waiters.push({ re, from, resolve: (m) => (clearTimeout(timer), resolve(m)) });
      this.check();
    });
  }

  send(line: string): void {
    this.proc.stdin.write(line + '\n');
  }

  private check(): void {
    this.waiters = this.waiters.filter((w) => {
      for (let i = w.from; i < this.lines.length; i++) {
        const m = this.lines[i].match(w.re);
        if (m) {
          w.resolve(m);
          return false;
        }
      }
      return true;
    });
  }
}

const haveNetSmpp = spawnSync('perl', ['-MNet::SMPP', '-e', '1']).status === 0;

describe('interop with Net::SMPP', () => {
  let peer: Peer;
  let store: MemoryStore;
  let bridge: Bridge;

  beforeAll(async () => {
    if (!haveNetSmpp) throw new Error('Net::SMPP is not installed: apt-get install libnet-smpp-perl (npm test installs it)');
    peer = new Peer(spawn('perl', [SCRIPT, 'bridge', 'secret']));
    const port = Number((await peer.waitLine(/^PORT (\d+)$/))[1]);
    store = new MemoryStore();
    store.addLink({ id: 'NS', name: 'netsmpp', host: '127.0.0.1', port });
    store.setNumber(OUR_NUMBER, 'NS');
    bridge = new Bridge({ store, log }, TEST_BRIDGE);
    await bridge.start();
    await bridge.link('NS')!.waitForState('bound', 3000);
  });

  afterAll(async () => {
    await bridge?.stop();
    peer?.send('QUIT');
    peer?.proc.kill();
  });

  it('binds as a transceiver with interface_version 0x34', async () => {
    const m = await peer.waitLine(/^BIND (\S+) (\S+) (\S+)$/);
    expect(m.slice(1)).toEqual(['bind_transceiver', 'bridge', '0x34']);
  });

  it('submits with a receipt request, and the receipt (TLVs from Net::SMPP) makes the delivery delivered', async () => {
    const from = peer.lines.length;
    const d = store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'Interop {test} €1 @ _' });
    const m = await peer.waitLine(/^SUBMIT (\d+) (\S+) (\S+) (\S+) (\S+) (\S+) (\d+) (\d+) (\d+) ([0-9a-f]*)$/, 3000, from);
    const [, , id, src, srcTonNpi, dst, dstTonNpi, dc, esm, regdel, hex] = m;
    expect([src, srcTonNpi, dst, dstTonNpi, dc, esm, regdel]).toEqual(['15551230001', '1/1', '15557654321', '1/1', '0', '0', '1']);
    expect(hex).toBe(Buffer.from(encodeGsm7('Interop {test} €1 @ _')).toString('hex'));
    const final = await store.waitForDelivery(d.id, (x) => x.status === 'delivered');
    expect(final.smsc_ids).toEqual([id]);
  });

  it('sends a long message as UDH parts Net::SMPP receives intact', async () => {
    const from = peer.lines.length;
    const body = 'Long message across parts. '.repeat(8);
    const d = store.queue({ to: CUSTOMER, from: OUR_NUMBER, body });
    const final = await store.waitForDelivery(d.id, (x) => x.status === 'delivered');
    // the receipts can overtake the peer's log lines on its stdout: wait for both parts' lines
    const logged = () => peer.lines.slice(from).filter((l) => l.startsWith('SUBMIT '));
    await until(() => logged().length >= 2, 3000, 'both parts in the peer log');
    const submits = logged();
    expect(submits).toHaveLength(2);
    const ref = concatRef(d.id, false);
    const parts = submits.map((l) => Buffer.from(l.split(' ').pop()!, 'hex'));
    parts.forEach((p, i) => expect([...p.subarray(0, 6)]).toEqual([5, 0, 3, ref, 2, i + 1]));
    expect(submits.map((l) => l.split(' ')[8])).toEqual(['64', '64']);
    expect(Buffer.concat(parts.map((p) => p.subarray(6))).toString('latin1')).toBe(body);
    expect(final.smsc_ids).toHaveLength(2);
  });

  it('receives an MO text in GSM 7-bit', async () => {
    const from = peer.lines.length;
    peer.send(`MO 0 0 ${Buffer.from(encodeGsm7('Hi from GSM: ñ € [ok]')).toString('hex')}`);
    const [t] = await store.waitForInbound(1);
    expect(t).toMatchObject({ link: 'NS', from: CUSTOMER, to: OUR_NUMBER, body: 'Hi from GSM: ñ € [ok]' });
    expect((await peer.waitLine(/^DELIVER_RESP \d+ (\d+)$/, 3000, from))[1]).toBe('0');
  });

  it('receives an MO text in UCS-2 with an emoji', async () => {
    const n = store.inbound.length;
    peer.send(`MO 8 0 ${Buffer.from(encodeUcs2('Привет 👋')).toString('hex')}`);
    const all = await store.waitForInbound(n + 1);
    expect(all[n].body).toBe('Привет 👋');
  });

  it('joins a long MO text sent as two UDH parts', async () => {
    const n = store.inbound.length;
    const p1 = Buffer.concat([Buffer.from([5, 0, 3, 0x42, 2, 1]), Buffer.from(encodeUcs2('First half, '))]);
    const p2 = Buffer.concat([Buffer.from([5, 0, 3, 0x42, 2, 2]), Buffer.from(encodeUcs2('second half.'))]);
    peer.send(`MO 8 64 ${p1.toString('hex')}`);
    peer.send(`MO 8 64 ${p2.toString('hex')}`);
    const all = await store.waitForInbound(n + 1);
    expect(all[n]).toMatchObject({ body: 'First half, second half.', incomplete: false });
  });

  it('unbinds cleanly on shutdown', async () => {
    const from = peer.lines.length;
    await bridge.stop();
    await peer.waitLine(/^UNBIND$/, 3000, from);
  });
});
