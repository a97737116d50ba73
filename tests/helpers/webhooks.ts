// A local webhook receiver for tests: records each call and answers from a
// script per path (a status, 'hang' to hold the request open, or a whole
// answer: status, Content-Type and body).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Answer is a scripted answer with its own Content-Type and body. */
export interface Answer {
  status: number;
  type?: string;
  body: string;
}

export interface Call {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** Receiver is a local webhook endpoint: per path, a script of answers (a status, or 'hang' to hold the request open). */
export class Receiver {
  calls: Call[] = [];
  scripts = new Map<string, (number | 'hang' | Answer)[]>();
  held: ServerResponse[] = [];
  private waiters: { pred: () => boolean; ok: () => void }[] = [];
  private constructor(private server: Server, readonly url: string) {}

  static async start(): Promise<Receiver> {
    const server = createServer();
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const r = new Receiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        r.calls.push({ path: req.url!, headers: req.headers, body });
        const next = r.scripts.get(req.url!)?.shift() ?? 200;
        if (next === 'hang') r.held.push(res);
        else if (typeof next === 'object') res.writeHead(next.status, next.type ? { 'Content-Type': next.type } : {}).end(next.body);
        else res.writeHead(next).end(next === 200 ? 'ok' : 'not now');
        for (const w of [...r.waiters]) if (w.pred()) (r.waiters.splice(r.waiters.indexOf(w), 1), w.ok());
      });
    });
    return r;
  }

  on(path: string): Call[] {
    return this.calls.filter((c) => c.path === path);
  }

  /** until resolves once the receiver has had `n` calls on a path (that match, when `match` is given). */
  until(path: string, n: number, match: (c: Call) => boolean = () => true): Promise<void> {
    const pred = () => this.on(path).filter(match).length >= n;
    if (pred()) return Promise.resolve();
    return new Promise((ok) => this.waiters.push({ pred, ok }));
  }

  close(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.server.closeAllConnections();
    return new Promise((ok) => this.server.close(() => ok()));
  }
}
