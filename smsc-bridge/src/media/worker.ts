// The media worker: turns each attachment that is `processing` into its
// cleaned copy and thumbnail (process.ts), stores them on the attachment
// through the API as the service account, and deletes the original upload.
// It runs in the bridge's process with its own PocketBase client and one
// file at a time, so it never sits in the SMPP path: sharp works on libuv's
// thread pool and the SMPP sockets keep their event loop (docs/attachments.md).

import PocketBase, { ClientResponseError, type RecordModel } from 'pocketbase';
import type { Logger } from '../log.js';
import { isRaster } from '../../../src/lib/domain/attachments.js';
import { MediaError, processImage, renamed } from './process.js';

/** MediaWorkerOptions say where PocketBase is and which service account to use. */
export interface MediaWorkerOptions {
  url: string;
  email: string;
  password: string;
  log: Logger;
  /** sweepMs is how often attachments still processing are looked for (missed events, a restart). */
  sweepMs?: number;
}

/** MediaWorker processes attachments until stopped. */
export class MediaWorker {
  private readonly pb: PocketBase;
  private readonly log: Logger;
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** processed counts files finished (ready or failed), for tests and metrics. */
  processed = 0;

  constructor(private readonly opts: MediaWorkerOptions) {
    this.pb = new PocketBase(opts.url);
    this.pb.autoCancellation(false);
    this.log = opts.log;
  }

  /** start signs in, subscribes to attachments and sweeps once. */
  async start(): Promise<void> {
    const g = globalThis as { EventSource?: unknown };
    if (!g.EventSource) g.EventSource = (await import('eventsource')).EventSource;
    await this.pb.collection('services').authWithPassword(this.opts.email, this.opts.password, { autoRefreshThreshold: 30 * 60 });
    await this.pb.collection('attachments').subscribe('*', (e) => {
      if (e.action !== 'delete' && e.record.status === 'processing') this.enqueue(e.record.id);
    });
    await this.sweep();
    this.timer = setInterval(() => void this.sweep().catch((err) => this.log.warn({ err: (err as Error).message }, 'media sweep failed')), this.opts.sweepMs ?? 60_000);
    this.timer.unref();
  }

  /** stop finishes the file in hand and stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.pb.collection('attachments').unsubscribe().catch(() => {});
    await this.running;
  }

  /** idle resolves when nothing is queued or in hand. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async sweep(): Promise<void> {
    const list = await this.pb.collection('attachments').getFullList({ filter: "status = 'processing'", fields: 'id', sort: 'created' });
    for (const r of list) this.enqueue(r.id);
  }

  private enqueue(id: string): void {
    if (this.stopped || this.queued.has(id)) return;
    this.queued.add(id);
    this.queue.push(id);
    if (!this.running) this.running = this.drain().finally(() => (this.running = null));
  }

  private async drain(): Promise<void> {
    while (!this.stopped && this.queue.length) {
      const id = this.queue.shift()!;
      try {
        await this.handle(id);
      } catch (err) {
        // PocketBase unreachable or restarting: the sweep tries again
        this.log.warn({ attachment: id, err: (err as Error).message }, 'media: will retry');
      } finally {
        this.queued.delete(id);
      }
    }
  }

  private async handle(id: string): Promise<void> {
    const a = await this.pb.collection('attachments').getOne(id);
    if (a.status !== 'processing') return;
    let upload: RecordModel | null = null;
    if (a.upload) {
      try {
        upload = await this.pb.collection('uploads').getOne(a.upload);
      } catch (err) {
        if (!(err instanceof ClientResponseError && err.status === 404)) throw err;
      }
    }
    if (!upload) {
      await this.finish(a, { status: 'failed', error: 'The uploaded file was lost before it could be processed; send it again.' });
      return;
    }
    const token = await this.pb.files.getToken();
    const res = await fetch(this.pb.files.getURL(upload, upload.file, { token }));
    if (!res.ok) throw new Error(`reading the upload answered ${res.status}`);
    const input = Buffer.from(await res.arrayBuffer());
    const started = performance.now();
    const form = new FormData();
    if (isRaster(a.type)) {
      try {
        const p = await processImage(input);
        const name = renamed(a.name, p.ext);
        form.append('file', new Blob([new Uint8Array(p.data)], { type: p.type }), name);
        form.append('thumb', new Blob([new Uint8Array(p.thumb)], { type: 'image/webp' }), renamed(a.name, 'webp'));
        form.append('name', name);
        form.append('type', p.type);
        form.append('size', String(p.data.length));
        form.append('width', String(p.width));
        form.append('height', String(p.height));
        form.append('status', 'ready');
      } catch (err) {
        if (!(err instanceof MediaError)) throw err;
        await this.finish(a, { status: 'failed', error: err.message }, upload.id);
        return;
      }
    } else {
      form.append('file', new Blob([input], { type: a.type }), a.name);
      form.append('status', 'ready');
    }
    await this.finish(a, form, upload.id);
    this.log.info({ attachment: a.id, type: a.type, ms: Math.round(performance.now() - started) }, 'media: processed');
  }

  private async finish(a: RecordModel, body: FormData | { [key: string]: unknown }, uploadId = ''): Promise<void> {
    await this.pb.collection('attachments').update(a.id, body);
    this.processed++;
    // the original (with whatever the camera wrote) is kept no longer than needed
    if (uploadId) await this.pb.collection('uploads').delete(uploadId).catch((err) => this.log.warn({ upload: uploadId, err: (err as Error).message }, 'media: original not deleted'));
  }
}
