// Admin → Integrations: the integrations (API keys) and the latest webhook
// calls, kept current by realtime events, and the admin's actions on them
// (make, revoke, resend). The key itself comes back once, from make().
// Also the keyword auto-replies of the business numbers.
import { pb } from '$lib/api/pb';
import type { IntegrationInput, IntegrationRecord, KeywordReplyRecord, WebhookCallRecord } from '$lib/api/types';
import { LiveList } from './live-list.svelte';

const byName = (list: IntegrationRecord[]) => list.sort((a, b) => Number(!!a.revoked_at) - Number(!!b.revoked_at) || a.name.localeCompare(b.name));
const newestFirst = (list: WebhookCallRecord[]) => list.sort((a, b) => b.created.localeCompare(a.created)).slice(0, 100);

/** Made is a new integration with its key and webhook secret, shown once. */
export interface Made {
  integration: IntegrationRecord;
  key: string;
  webhook_secret: string;
}

/** IntegrationsState holds every integration, live ones first, as `.current`. */
export class IntegrationsState extends LiveList<IntegrationRecord> {
  constructor() {
    super({ collection: 'integrations', order: byName });
  }

  /** make creates an integration; the answer carries its key, which is never shown again. */
  async make(input: IntegrationInput): Promise<Made> {
    const made = await pb.send<Made>('/api/integrations', { method: 'POST', body: input });
    this.upsert(made.integration);
    return made;
  }

  /** save changes what an integration may do (not its key). */
  async save(id: string, input: IntegrationInput): Promise<IntegrationRecord> {
    const r = await pb.collection('integrations').update<IntegrationRecord>(id, input);
    this.upsert(r);
    return r;
  }

  /** revoke stops an integration's key for good. */
  async revoke(id: string): Promise<IntegrationRecord> {
    const r = await pb.send<IntegrationRecord>(`/api/integrations/${id}/revoke`, { method: 'POST' });
    this.upsert(r);
    return r;
  }
}

/** WebhookCallsState holds the newest 100 webhook calls, newest first, as `.current`. */
export class WebhookCallsState extends LiveList<WebhookCallRecord> {
  constructor() {
    super({ collection: 'webhook_calls', order: newestFirst, limit: { count: 100, sort: '-created' } });
  }

  /** resend queues a call again, due now. */
  async resend(id: string): Promise<void> {
    this.upsert(await pb.send<WebhookCallRecord>(`/api/webhook-calls/${id}/resend`, { method: 'POST' }));
  }
}

/** KeywordReplyInput is what the admin edits of a keyword reply. */
export type KeywordReplyInput = Pick<KeywordReplyRecord, 'our_number' | 'keyword' | 'reply' | 'webhook_url' | 'integration'>;

const byNumberAndKeyword = (list: KeywordReplyRecord[]) => list.sort((a, b) => a.our_number.localeCompare(b.our_number) || a.keyword.localeCompare(b.keyword));

/** KeywordRepliesState holds every keyword auto-reply, by number then keyword, as `.current`. */
export class KeywordRepliesState extends LiveList<KeywordReplyRecord> {
  constructor() {
    super({ collection: 'keyword_replies', order: byNumberAndKeyword });
  }

  /** add saves a keyword and its reply (or webhook) on a number. */
  async add(input: KeywordReplyInput): Promise<KeywordReplyRecord> {
    const r = await pb.collection('keyword_replies').create<KeywordReplyRecord>(input);
    this.upsert(r);
    return r;
  }

  /** save changes a keyword, its reply or its webhook. */
  async save(id: string, input: KeywordReplyInput): Promise<KeywordReplyRecord> {
    const r = await pb.collection('keyword_replies').update<KeywordReplyRecord>(id, input);
    this.upsert(r);
    return r;
  }

  /** remove deletes a keyword: texts with the word are ordinary texts again. */
  async remove(id: string): Promise<void> {
    await pb.collection('keyword_replies').delete(id);
    this.drop(id);
  }
}
