// The bridge as a whole: links follow their smsc_links rows without a
// restart, link state is written for the admin page, and shutdown is
// graceful.

import { afterEach, describe, expect, it } from 'vitest';
import { Bridge } from '../src/pipeline/bridge.js';
import { MemoryStore } from '../src/pipeline/memory-store.js';
import { CUSTOMER, OUR_NUMBER, startHarness, TEST_BRIDGE, type Harness } from './bridge-harness.js';
import { log, until } from './helpers.js';
import { SmscSimulator } from './smsc-simulator.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const states = () => h!.store.linkStates.filter((s) => s.id === 'L1').map((s) => s.state);

describe('link state for the admin page', () => {
  it('writes connecting then bound, with state_at', async () => {
    h = await startHarness();
    await until(() => states().includes('bound'), 1000, 'bound written');
    expect(states()).toEqual(['connecting', 'bound']);
    const row = h.store.links.get('L1')!;
    expect(row.state).toBe('bound');
    expect(row.last_error).toBe('');
    expect(row.state_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('an authentication error shows as auth_failed with the reason; fixing the password binds without a restart', async () => {
    h = await startHarness({ link: { password: 'wrong' }, waitBound: false, bridge: { link: { authPauseMs: 60_000 } } });
    await until(() => h!.store.links.get('L1')!.state === 'auth_failed', 2000, 'auth_failed written');
    expect(h.store.links.get('L1')!.last_error).toBe('The SMSC refused the password (ESME_RINVPASWD)');
    expect(h.sim.binds).toHaveLength(1);
    h.store.addLink({ ...h.store.links.get('L1')!, password: 'secret' });
    await until(() => h!.store.links.get('L1')!.state === 'bound', 2000, 'bound after the fix');
    expect(h.sim.binds).toHaveLength(2);
  });

  it('a disabled link unbinds and shows disabled; enabling it binds again', async () => {
    h = await startHarness();
    const unbind = h.sim.waitFor('unbind');
    h.store.addLink({ ...h.store.links.get('L1')!, enabled: false });
    await unbind;
    await until(() => h!.store.links.get('L1')!.state === 'disabled', 1000, 'disabled written');
    h.store.addLink({ ...h.store.links.get('L1')!, enabled: true });
    await until(() => h!.store.links.get('L1')!.state === 'bound', 2000, 'bound again');
  });
});

describe('settings follow the row', () => {
  it('window and rate apply live, without a new bind', async () => {
    h = await startHarness();
    h.store.addLink({ ...h.store.links.get('L1')!, window: 3, max_per_second: 50 });
    await until(() => h!.bridge.link('L1')!.windowSize === 3, 1000, 'the new window');
    await h.bridge.whenLinksSettled();
    expect(h.bridge.sender('L1')!.rateNow).toBe(50);
    expect(h.sim.binds).toHaveLength(1);
  });

  it('a new host means a new connection to it', async () => {
    h = await startHarness();
    const other = await SmscSimulator.start();
    try {
      h.store.addLink({ ...h.store.links.get('L1')!, port: other.port });
      await other.waitFor('bind', () => true, 2000);
      await h.bridge.link('L1')?.waitForState('bound', 2000);
      const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'via the new host' });
      await h.store.waitForDelivery(d.id, (x) => x.status === 'delivered');
      expect(other.submits).toHaveLength(1);
      expect(h.sim.boundSessions()).toHaveLength(0);
    } finally {
      await h.stop();
      h = undefined;
      await other.close();
    }
  });

  it('a new link row binds; a deleted one unbinds', async () => {
    h = await startHarness();
    const other = await SmscSimulator.start();
    try {
      h.store.addLink({ id: 'L2', name: 'second', host: '127.0.0.1', port: other.port });
      await until(() => h!.bridge.link('L2')?.state === 'bound', 2000, 'the second link bound');
      const unbind = other.waitFor('unbind', () => true, 2000);
      h.store.removeLink('L2');
      await unbind;
    } finally {
      await other.close();
    }
  });

  it('after the realtime stream reconnects, the bridge sweeps for what it missed', async () => {
    h = await startHarness({ bridge: { sweepMs: 60_000 } });
    h.store.deliveries.set('missed', {
      id: 'missed', to: CUSTOMER, from: OUR_NUMBER, body: 'missed', status: 'queued', segments: 1, encoding: '',
      smsc_ids: [], attempts: 0, next_attempt_at: '', error: '', error_code: '', link: '', sent_at: '', done_at: '',
    });
    h.store.reconnect();
    expect((await h.store.waitForDelivery('missed', (x) => x.status === 'delivered')).status).toBe('delivered');
  });
});

describe('start', () => {
  it('a delivery whose event comes while the links are still loading is sent, not failed for a missing link', async () => {
    const sim = await SmscSimulator.start();
    class SlowLinks extends MemoryStore {
      override async listLinks() {
        await new Promise((r) => setTimeout(r, 50));
        return super.listLinks();
      }
    }
    const store = new SlowLinks();
    store.addLink({ id: 'L1', name: 'sim', host: '127.0.0.1', port: sim.port });
    store.setNumber(OUR_NUMBER, 'L1');
    // let those rows' realtime events pass before anyone subscribes, as for rows that existed before the start
    await new Promise((r) => setImmediate(r));
    const bridge = new Bridge({ store, log }, TEST_BRIDGE);
    try {
      const starting = bridge.start();
      await new Promise((r) => setTimeout(r, 10));
      const d = store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'early bird' });
      await starting;
      expect((await store.waitForDelivery(d.id, (x) => x.status === 'delivered' || x.status === 'failed')).status).toBe('delivered');
    } finally {
      await bridge.stop();
      await sim.close();
    }
  });
});

describe('shutdown', () => {
  it('finishes what is in flight, unbinds, and marks the link down', async () => {
    h = await startHarness();
    h.sim.onSubmit = () => ({ delayMs: 100 });
    const d = h.store.queue({ to: CUSTOMER, from: OUR_NUMBER, body: 'last one' });
    await until(() => h!.sim.submits.length === 1, 1000, 'the submit');
    const unbind = h.sim.waitFor('unbind');
    await h.bridge.stop();
    await unbind;
    expect(h.store.deliveries.get(d.id)!.status).toMatch(/sent|delivered/);
    expect(h.store.links.get('L1')).toMatchObject({ state: 'down', last_error: 'The bridge is stopped' });
  });

  it('health reports the links and the store', async () => {
    h = await startHarness();
    const health = h.bridge.health();
    expect(health).toMatchObject({ ok: true, store: 'ok' });
    expect(health.links).toEqual([
      { id: 'L1', name: 'sim', state: 'bound', last_error: '', window_in_use: 0, queued: 0, in_progress: 0, bound_since: expect.any(String), enquire_rtt_ms: -1, reconnects_1h: 0 },
    ]);
    expect(health.links[0].bound_since).not.toBe('');
    h.store.failReads = true;
    await h.bridge.sweep();
    expect(h.bridge.health()).toMatchObject({ ok: false, store: 'unreachable' });
  });
});
