// The media pipeline: what an uploaded picture becomes before anyone else
// sees it. sharp applies the EXIF orientation, drops every piece of metadata
// (EXIF with GPS, XMP, IPTC, comments; colours are converted to sRGB), caps
// the size, converts formats browsers cannot show (TIFF, BMP, AVIF, HEIC
// where this libvips reads it) and makes a thumbnail. Pure: bytes in, bytes out.

import sharp, { type Metadata, type Sharp } from 'sharp';

/** MAX_SIDE is the longest side of the full-size copy, in pixels. */
export const MAX_SIDE = 2048;
/** THUMB_SIDE is the longest side of a thumbnail, in pixels. */
export const THUMB_SIDE = 480;
// a decompression bomb is refused before it is decoded
const MAX_INPUT_PIXELS = 120_000_000;

/** Processed is a cleaned picture, its thumbnail and what the timeline needs to lay it out. */
export interface Processed {
  data: Buffer;
  /** type and ext of `data`: image/jpeg (.jpg), image/png, image/gif or image/webp */
  type: string;
  ext: string;
  width: number;
  height: number;
  thumb: Buffer;
}

/** MediaError is a file that cannot be processed, with a sentence for people. */
export class MediaError extends Error {}

/** processImage cleans one picture (see the file header); throws MediaError when it is not one this appliance reads. */
export async function processImage(input: Buffer, opts: { maxSide?: number; thumbSide?: number } = {}): Promise<Processed> {
  const maxSide = opts.maxSide ?? MAX_SIDE;
  const thumbSide = opts.thumbSide ?? THUMB_SIDE;
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
  } catch (err) {
    const heic = /heif|heic/i.test(String((err as Error).message)) || isHeic(input);
    throw new MediaError(
      heic
        ? 'HEIC photos cannot be converted on this appliance; set the phone camera to "Most compatible" (JPEG) or send a screenshot.'
        : 'This file is not a picture this appliance can read.',
    );
  }
  const animated = meta.format === 'gif' && (meta.pages ?? 1) > 1;
  const base = () =>
    sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, animated })
      // no argument: orientation from EXIF, then the tag is gone with the rest
      .rotate();
  let out: Sharp = base().resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true });
  let type: string;
  let ext: string;
  if (animated) {
    out = out.gif();
    [type, ext] = ['image/gif', 'gif'];
  } else if (meta.hasAlpha) {
    out = out.png({ compressionLevel: 8, adaptiveFiltering: true });
    [type, ext] = ['image/png', 'png'];
  } else {
    out = out.jpeg({ quality: 82, mozjpeg: true });
    [type, ext] = ['image/jpeg', 'jpg'];
  }
  try {
    const { data, info } = await out.toBuffer({ resolveWithObject: true });
    const thumb = await base().resize({ width: thumbSide, height: thumbSide, fit: 'inside', withoutEnlargement: true }).webp({ quality: 75 }).toBuffer();
    // an animation's info.height is the whole strip of frames
    const height = animated ? (info.pageHeight ?? info.height) : info.height;
    return { data, type, ext, width: info.width, height, thumb };
  } catch (err) {
    throw new MediaError(`This picture could not be processed: ${(err as Error).message}`);
  }
}

function isHeic(input: Buffer): boolean {
  return input.length > 12 && input.toString('latin1', 4, 8) === 'ftyp' && /^(heic|heix|hevc|hevx|mif1|msf1)$/.test(input.toString('latin1', 8, 12));
}

/** renamed gives a file the extension of its new format: IMG_0001.HEIC → IMG_0001.jpg. */
export function renamed(name: string, ext: string): string {
  const dot = name.lastIndexOf('.');
  return (dot > 0 ? name.slice(0, dot) : name) + '.' + ext;
}
