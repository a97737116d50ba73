// Files in the browser: uploading an original with progress (the SDK's fetch
// cannot report it, so this one request is an XMLHttpRequest), the file
// token that protected attachments need in their URLs, and the admin's
// limits (docs/attachments.md).
import { pb } from '$lib/api/pb';
import { DEFAULT_LIMITS, type Limits } from '$lib/domain/attachments';
import type { AttachmentRecord } from '$lib/api/types';
import { settings } from './settings.svelte';

// PocketBase's file tokens live 3 minutes by default; fetch a new one well before
const TOKEN_REFRESH_MS = 100_000;

/** UploadError is an upload the server refused (a sentence) or that did not get through. */
export class UploadError extends Error {
  constructor(
    message: string,
    /** status is the HTTP status; 0 when the request did not get through */
    readonly status: number
  ) {
    super(message);
  }
}

/** uploadOriginal sends one file for the message under clientKey (at its position) and reports progress from 0 to 1. */
export function uploadOriginal(
  conversation: string,
  clientKey: string,
  position: number,
  file: File,
  onProgress: (fraction: number) => void
): Promise<{ id: string }> {
  const form = new FormData();
  form.append('conversation', conversation);
  form.append('client_key', clientKey);
  form.append('position', String(position));
  form.append('file', file, file.name || `pasted-${position + 1}.png`);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', pb.buildURL('/api/collections/uploads/records'));
    if (pb.authStore.token) xhr.setRequestHeader('Authorization', pb.authStore.token);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: { id?: string; message?: string; data?: Record<string, { message?: string }> } = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // an answer that is not JSON: the status says enough
      }
      if (xhr.status >= 200 && xhr.status < 300 && body.id) {
        onProgress(1);
        resolve({ id: body.id });
      } else {
        const field = body.data ? Object.values(body.data).find((f) => f?.message)?.message : '';
        reject(new UploadError(field || body.message || `The upload was refused (${xhr.status}).`, xhr.status));
      }
    };
    xhr.onerror = () => reject(new UploadError('The upload did not get through; check the connection and retry.', 0));
    xhr.send(form);
  });
}

class FileTokenState {
  #token = '';
  #at = 0;
  #pending: Promise<string> | null = null;
  /** current is a file token fresh enough to put in a URL ('' until the first one arrived) */
  current = $state('');

  /** refresh fetches a token if the one in hand is old; resolves with a fresh one. */
  refresh(): Promise<string> {
    if (this.#token && Date.now() - this.#at < TOKEN_REFRESH_MS) return Promise.resolve(this.#token);
    this.#pending ??= pb.files
      .getToken()
      .then((t) => {
        this.#token = t;
        this.#at = Date.now();
        this.current = t;
        return t;
      })
      .finally(() => (this.#pending = null));
    return this.#pending;
  }
}

/** fileToken is the signed-in person's file token for protected attachments. */
export const fileToken = new FileTokenState();

/** attachmentUrl is the URL of an attachment's stored file (or thumbnail); download asks for a download. */
export function attachmentUrl(id: string, name: string, token: string, download = false): string {
  const q = new URLSearchParams();
  if (token) q.set('token', token);
  if (download) q.set('download', '1');
  return pb.buildURL(`/api/files/attachments/${id}/${encodeURIComponent(name)}?${q}`);
}

/** limits are the admin's limits on files, as the settings row has them. */
export function limits(): Limits {
  const s = settings.current;
  return { maxMb: s?.attachment_max_mb || DEFAULT_LIMITS.maxMb, types: s?.attachment_types || DEFAULT_LIMITS.types };
}

/** listAttachments lists a conversation's files, newest first. */
export function listAttachments(conversation: string): Promise<AttachmentRecord[]> {
  return pb.collection('attachments').getFullList<AttachmentRecord>({
    filter: pb.filter('conversation = {:c}', { c: conversation }),
    sort: '-created',
    batch: 200
  });
}
