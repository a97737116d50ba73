// Attachments: what a file is (its type, from its name), whether the admin's
// limits let it through, and what an SMS recipient gets for it (a public
// link). The same rules and sentences for the composer and the hooks
// (docs/attachments.md).

/** Limits are the admin's settings for files (settings.attachment_max_mb, settings.attachment_types). */
export interface Limits {
  maxMb: number;
  /** types is a comma-separated list of MIME types, `image/*` style wildcards allowed. */
  types: string;
}

/** DEFAULT_LIMITS apply while the settings row has none. */
export const DEFAULT_LIMITS: Limits = {
  maxMb: 25,
  types: 'image/*, application/pdf, text/plain, text/csv, application/zip, application/msword, application/vnd.openxmlformats-officedocument.*, application/vnd.oasis.opendocument.*',
};

/** MAX_FILES is how many files one message may carry. */
export const MAX_FILES = 10;

/** PUBLIC_TOKEN_LENGTH is the length of an SMS link's token (62 symbols: about 131 bits). */
export const PUBLIC_TOKEN_LENGTH = 22;

/** PUBLIC_PATH is where the appliance serves SMS links: `${public_url}${PUBLIC_PATH}${token}`. */
export const PUBLIC_PATH = '/f/';

const TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  jfif: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  heic: 'image/heic',
  heif: 'image/heif',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  bmp: 'image/bmp',
  svg: 'image/svg+xml',
  pdf: 'application/pdf',
  txt: 'text/plain',
  csv: 'text/csv',
  html: 'text/html',
  htm: 'text/html',
  zip: 'application/zip',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
};

/** typeOfName is a file's MIME type judged by its name (the server and the browser agree; content is checked when it is processed). */
export function typeOfName(name: string): string {
  const dot = name.lastIndexOf('.');
  const ext = dot >= 0 ? name.slice(dot + 1).toLowerCase() : '';
  return TYPES[ext] ?? 'application/octet-stream';
}

/** RASTER_TYPES are the images the media worker decodes, cleans and resizes; SVG is a document, not a photo. */
export const RASTER_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif', 'image/heic', 'image/heif', 'image/tiff', 'image/bmp'];

/** isRaster says whether a type is a picture the worker processes. */
export function isRaster(type: string): boolean {
  return RASTER_TYPES.includes(type);
}

/** typeAllowed says whether a type matches the admin's list (`image/*` matches every image). */
export function typeAllowed(type: string, allowed: string): boolean {
  return allowed
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean)
    .some((pattern) => (pattern.endsWith('*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern));
}

/** formatSize is a byte count for people: 512 B, 14 KB, 3.2 MB. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  const mb = bytes / (1024 * 1024);
  return `${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB`;
}

/** checkFile returns why a file cannot be attached under the limits, or '' when it can. */
export function checkFile(file: { name: string; size: number }, limits: Limits): string {
  const type = typeOfName(file.name);
  if (!typeAllowed(type, limits.types || DEFAULT_LIMITS.types)) {
    return `“${file.name}” is a kind of file (${type}) that cannot be sent here; an administrator sets the allowed types in Settings.`;
  }
  const maxMb = limits.maxMb || DEFAULT_LIMITS.maxMb;
  if (file.size > maxMb * 1024 * 1024) {
    return `“${file.name}” is ${formatSize(file.size)}; files are limited to ${maxMb} MB each.`;
  }
  if (file.size === 0) return `“${file.name}” is empty.`;
  return '';
}

/** checkPublicUrl returns why an address cannot be the appliance's public URL, or '' when it can ('' itself is allowed: none set). */
export function checkPublicUrl(url: string): string {
  if (url === '') return '';
  if (!/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(url)) return 'Enter the address people reach this appliance at, such as https://messages.example.com.';
  return '';
}

/** normalPublicUrl trims the address and drops a trailing slash. */
export function normalPublicUrl(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

/** publicLink is the SMS link for a token. */
export function publicLink(publicUrl: string, token: string): string {
  return normalPublicUrl(publicUrl) + PUBLIC_PATH + token;
}

/** NO_PUBLIC_URL is the sentence that refuses files in a conversation with phones while no public URL is set. */
export const NO_PUBLIC_URL =
  'Phones get files as a link, and this appliance has no public address yet: an administrator sets "Public URL" in Settings.';

/** smsText is what a phone gets for a message with files: the text, then one link per file. */
export function smsText(body: string, links: string[]): string {
  if (links.length === 0) return body;
  return (body ? body + '\n' : '') + links.join('\n');
}

/** placeholderLinks stand in for links not made yet, with their exact length (for the segment counter). */
export function placeholderLinks(publicUrl: string, count: number): string[] {
  return Array.from({ length: count }, () => publicLink(publicUrl, 'x'.repeat(PUBLIC_TOKEN_LENGTH)));
}

/** FileSummary is one file of a message, as `messages.files` lists it. */
export interface FileSummary {
  id: string;
  name: string;
  type: string;
  size: number;
  width: number;
  height: number;
  status: 'processing' | 'ready' | 'failed' | 'removed';
  /** file and thumb are the stored names on the attachments record ('' until ready) */
  file: string;
  thumb: string;
  error?: string;
}

/** previewOfFiles is the conversation-list preview of a message that has files and no text. */
export function previewOfFiles(files: { name: string }[]): string {
  if (files.length === 0) return '';
  return files.length === 1 ? `📎 ${files[0].name}` : `📎 ${files.length} files`;
}

/** thumbBox is the size a thumbnail takes in the timeline before it loads, so the list does not jump (fits in max × max). */
export function thumbBox(width: number, height: number, max = 240): { width: number; height: number } {
  if (!width || !height) return { width: max, height: Math.round((max * 3) / 4) };
  const scale = Math.min(1, max / Math.max(width, height));
  return { width: Math.max(48, Math.round(width * scale)), height: Math.max(48, Math.round(height * scale)) };
}
