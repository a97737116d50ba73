// smsc-bridge entry point: reads its configuration from the environment,
// logs in to PocketBase as a services account, runs the Bridge, serves
// /healthz and /metrics on loopback, and shuts down gracefully on SIGTERM.
//
//   PB_URL           PocketBase, default http://127.0.0.1:8090
//   BRIDGE_EMAIL     the services account (required)
//   BRIDGE_PASSWORD  its password (required)
//   BRIDGE_HTTP      health/metrics listen address, default 127.0.0.1:8091
//   LOG_LEVEL        pino level, default info
//   BRIDGE_JOURNAL   the journal file, default $PB_DATA/bridge-journal (PB_DATA default ./pb_data)

import { startHttp } from './http.js';
import { createLogger } from './log.js';
import { Metrics } from './metrics.js';
import { Bridge, type Health } from './pipeline/bridge.js';
import { Journal } from './pipeline/journal.js';
import { MediaWorker } from './media/worker.js';
import { PocketBaseStore } from './pipeline/pocketbase-store.js';
import { backoffDelay } from './session/backoff.js';
import { probeLink, readProbeTarget } from './session/probe.js';
import { WebhookWorker } from './webhooks/worker.js';
import { BroadcastWorker } from './broadcasts/worker.js';

const SHUTDOWN_DEADLINE_MS = 30_000;

const log = createLogger(process.env.LOG_LEVEL || 'info');
const pbUrl = process.env.PB_URL || 'http://127.0.0.1:8090';
const email = process.env.BRIDGE_EMAIL ?? '';
const password = process.env.BRIDGE_PASSWORD ?? '';
const listen = process.env.BRIDGE_HTTP || '127.0.0.1:8091';
const journalPath = process.env.BRIDGE_JOURNAL || `${process.env.PB_DATA || 'pb_data'}/bridge-journal`;

if (!email || !password) {
  log.fatal('BRIDGE_EMAIL and BRIDGE_PASSWORD must name a services account');
  process.exit(2);
}

const metrics = new Metrics();
// opened before anything is taken from the SMSC; one journal for every start attempt of this process
const journal = Journal.openFile(journalPath);
metrics.addGauge('smsc_bridge_journal_open', 'deliveries, receipts and text parts the journal holds for PocketBase', () => [{ labels: {}, value: journal.openCount }]);
let bridge: Bridge | undefined;
let webhooks: WebhookWorker | undefined;
let broadcasts: BroadcastWorker | undefined;
let stopping = false;
let phase = 'connecting to PocketBase';

function health(): Health & { phase: string } {
  if (bridge) return { ...bridge.health(), phase };
  return { ok: false, started: false, store: 'unreachable', links: [], pending_receipts: 0, partial_texts: 0, phase };
}

process.on('uncaughtException', (err) => {
  log.fatal({ err }, 'uncaught exception; exiting so the supervisor restarts the bridge');
  process.exit(1);
});
process.on('unhandledRejection', (err) => {
  log.error({ err }, 'unhandled promise rejection');
});

const probe = {
  token: password,
  run: async (body: unknown) => {
    const target = readProbeTarget(body);
    if ('error' in target) return target;
    const result = await probeLink(target, log.child({ probe: `${target.host}:${target.port}` }));
    log.info({ host: target.host, port: target.port, ok: result.ok, stage: result.stage }, 'test connection');
    return result;
  },
};
const { server, address } = await startHttp(listen, { health, metrics, probe });
log.info({ http: `${address.address}:${address.port}`, pb: pbUrl }, 'smsc-bridge starting');

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  phase = 'stopping';
  log.info({ signal }, 'stopping: draining windows and unbinding');
  const force = setTimeout(() => {
    log.error('shutdown deadline passed; exiting');
    process.exit(0);
  }, SHUTDOWN_DEADLINE_MS);
  force.unref();
  try {
    await Promise.all([bridge?.stop(), webhooks?.stop(), broadcasts?.stop(), media.stop()]);
    await journal.close();
  } catch (err) {
    log.error({ err }, 'error during shutdown');
  }
  server.close();
  log.info('stopped');
  process.exit(0);
}

process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

// attachments are processed beside the SMPP pipeline, not in it (docs/attachments.md)
const media = new MediaWorker({ url: pbUrl, email, password, log: log.child({ svc: 'media' }) });
void (async () => {
  for (let attempt = 1; !stopping; attempt++) {
    try {
      await media.start();
      log.info('media worker running');
      return;
    } catch (err) {
      const delay = backoffDelay(attempt, { baseMs: 500, maxMs: 30_000, jitter: 0.3 });
      log.warn({ err: (err as Error).message, retryInMs: delay }, 'media worker cannot start yet');
      await new Promise((r) => setTimeout(r, delay));
    }
  }
})();

// PocketBase may still be starting (or down): keep trying, never crash-loop
for (let attempt = 1; !stopping; attempt++) {
  try {
    const store = await PocketBaseStore.connect({ url: pbUrl, email, password, log });
    phase = 'starting';
    bridge = new Bridge({ store, log, metrics }, { journal });
    await bridge.start();
    // integrations' webhook calls: sent from here, never from a PocketBase hook (docs/integrations.md)
    webhooks = new WebhookWorker({ pb: store.pb, log });
    await webhooks.start();
    // broadcasts are released a few texts at a time while the link's queue is short (docs/broadcasts.md)
    broadcasts = new BroadcastWorker({ pb: store.pb, log });
    await broadcasts.start();
    phase = 'running';
    log.info({ links: bridge.health().links.map((l) => l.name) }, 'smsc-bridge running');
    break;
  } catch (err) {
    const delay = backoffDelay(attempt, { baseMs: 500, maxMs: 30_000, jitter: 0.3 });
    log.warn({ err: (err as Error).message, retryInMs: delay }, 'cannot start yet');
    const failed = bridge;
    bridge = undefined;
    await failed?.stop().catch(() => {});
    await webhooks?.stop().catch(() => {});
    webhooks = undefined;
    await broadcasts?.stop().catch(() => {});
    broadcasts = undefined;
    await new Promise((r) => setTimeout(r, delay));
  }
}
