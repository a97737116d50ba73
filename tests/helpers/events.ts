// Realtime events in tests: collect what a client receives on a topic and
// await the one a scenario expects.
import type PocketBase from 'pocketbase';

/** events collects realtime events on a topic ("messages/*", "inbox") and lets a test await one. */
export async function events(pb: PocketBase, topic: string) {
  const seen: any[] = [];
  const waiters: { pred: (e: any) => boolean; ok: (e: any) => void }[] = [];
  const off = await pb.realtime.subscribe(topic, (e: any) => {
    seen.push(e);
    for (const w of [...waiters]) if (w.pred(e)) (waiters.splice(waiters.indexOf(w), 1), w.ok(e));
  });
  return {
    seen,
    next(pred: (e: any) => boolean): Promise<any> {
      const hit = seen.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((ok) => waiters.push({ pred, ok }));
    },
    off,
  };
}
