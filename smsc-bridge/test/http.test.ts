// /healthz and /metrics on the loopback endpoint.

import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { parseListen, startHttp } from '../src/http.js';
import { Metrics } from '../src/metrics.js';

let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

describe('http endpoint', () => {
  it('parses listen addresses', () => {
    expect(parseListen('127.0.0.1:8091')).toEqual({ host: '127.0.0.1', port: 8091 });
    expect(parseListen('[::1]:9000')).toEqual({ host: '::1', port: 9000 });
    expect(() => parseListen('8091')).toThrow(/BRIDGE_HTTP/);
  });

  it('serves health (503 until ok) and Prometheus metrics', async () => {
    const metrics = new Metrics();
    metrics.submitted.inc({ link: 'carrier "A"' }, 3);
    metrics.addGauge('smsc_bridge_window_in_use', 'in flight', () => [{ labels: { link: 'carrier "A"' }, value: 2 }]);
    let ok = false;
    const started = await startHttp('127.0.0.1:0', { health: () => ({ ok, links: [] }), metrics });
    server = started.server;
    const base = `http://127.0.0.1:${started.address.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(503);
    ok = true;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, links: [] });
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('# TYPE smsc_bridge_submitted_total counter');
    expect(text).toContain('smsc_bridge_submitted_total{link="carrier \\"A\\""} 3');
    expect(text).toContain('smsc_bridge_window_in_use{link="carrier \\"A\\""} 2');
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});

describe('POST /probe', () => {
  it('runs only for the bearer of the token, and checks the body', async () => {
    const seen: unknown[] = [];
    const started = await startHttp('127.0.0.1:0', {
      health: () => ({ ok: true }),
      metrics: new Metrics(),
      probe: { token: 's3cret', run: async (body) => (seen.push(body), { ok: true, stage: 'done', message: 'fine', ms: 1 }) },
    });
    server = started.server;
    const url = `http://127.0.0.1:${started.address.port}/probe`;
    const post = (headers: Record<string, string>, body = '{"host":"h"}') => fetch(url, { method: 'POST', headers, body });
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: 'Bearer nope!!' })).status).toBe(401);
    expect((await post({ authorization: 'Bearer s3cret' }, 'not json')).status).toBe(400);
    const ok = await post({ authorization: 'Bearer s3cret' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true, message: 'fine' });
    expect(seen).toEqual([{ host: 'h' }]);
  });
});
