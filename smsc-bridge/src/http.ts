// The bridge's loopback HTTP endpoint: GET /healthz (JSON, 200 when the
// bridge runs and PocketBase answers, else 503), GET /metrics (Prometheus
// text), and POST /probe, PocketBase's "Test connection" for an SMSC link
// (bearer: the bridge's password, which only PocketBase and the bridge know).

import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.js';
import type { ProbeResult } from './session/probe.js';

/** ProbeHandler runs a "Test connection" for callers that present the token. */
export interface ProbeHandler {
  token: string;
  run: (body: unknown) => Promise<ProbeResult | { error: string }>;
}

const MAX_PROBE_BODY = 64 * 1024;

/** parseListen reads "host:port" or "[v6]:port". */
export function parseListen(addr: string): { host: string; port: number } {
  const m = addr.trim().match(/^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/);
  if (!m) throw new Error(`BRIDGE_HTTP must look like 127.0.0.1:8091, got ${JSON.stringify(addr)}`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port: Number(m[3]) };
}

/** startHttp serves health and metrics; it resolves once listening, with the bound address. */
export async function startHttp(
  listen: string,
  deps: { health: () => { ok: boolean }; metrics: Metrics; probe?: ProbeHandler },
): Promise<{ server: Server; address: AddressInfo }> {
  const { host, port } = parseListen(listen);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/probe' && req.method === 'POST' && deps.probe) {
      serveProbe(deps.probe, req, res);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    if (path === '/healthz') {
      const h = deps.health();
      res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(h));
      return;
    }
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(deps.metrics.render());
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, address: server.address() as AddressInfo };
}

function serveProbe(probe: ProbeHandler, req: IncomingMessage, res: ServerResponse): void {
  const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const presented = Buffer.from(req.headers.authorization ?? '');
  const expected = Buffer.from(`Bearer ${probe.token}`);
  if (!probe.token || presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
    json(401, { error: 'unauthorized' });
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size > MAX_PROBE_BODY) req.destroy();
    else chunks.push(c);
  });
  req.on('end', () => {
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      json(400, { error: 'the body must be JSON' });
      return;
    }
    probe.run(body).then(
      (r) => json('error' in r ? 400 : 200, r),
      (err) => json(500, { error: String((err as Error)?.message ?? err) }),
    );
  });
}
