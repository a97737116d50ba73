// UCS-2 as SMSCs actually carry it: UTF-16 big-endian, with surrogate pairs
// passed through intact so emoji survive (strict UCS-2 has no such pairs).
// Uint8Array only, no Buffer, so the codec stays portable.

/**
 * encodeUcs2 encodes text as UTF-16BE, two octets per code unit. Surrogate
 * pairs stay as they are; a lone surrogate is encoded as-is rather than
 * replaced, and the handset shows whatever it shows for one.
 */
export function encodeUcs2(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[2 * i] = c >> 8;
    out[2 * i + 1] = c & 0xff;
  }
  return out;
}

/**
 * decodeUcs2 decodes UTF-16BE octets to text. An odd trailing octet cannot
 * be half a character worth keeping, so it is ignored and the rest decoded;
 * this happens with SMSCs that cut a message at an odd byte count.
 */
export function decodeUcs2(bytes: ArrayLike<number>): string {
  let out = '';
  const end = bytes.length - (bytes.length % 2);
  for (let i = 0; i < end; i += 2) {
    out += String.fromCharCode((bytes[i] << 8) | bytes[i + 1]);
  }
  return out;
}
