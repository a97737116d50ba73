// The bridge's loopback HTTP endpoint: GET /healthz (JSON, 200 when the
// bridge runs and PocketBase answers, else 503) and GET /metrics
// (Prometheus text).

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.js';

/** parseListen reads "host:port" or "[v6]:port". */
export function parseListen(addr: string): { host: string; port: number } {
  const m = addr.trim().match(/^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/);
  if (!m) throw new Error(`BRIDGE_HTTP must look like 127.0.0.1:8091, got ${JSON.stringify(addr)}`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port: Number(m[3]) };
}

/** startHttp serves health and metrics; it resolves once listening, with the bound address. */
export async function startHttp(
  listen: string,
  deps: { health: () => { ok: boolean }; metrics: Metrics },
): Promise<{ server: Server; address: AddressInfo }> {
  const { host, port } = parseListen(listen);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
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
