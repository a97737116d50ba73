// The media pipeline on pictures made here: a phone photo (EXIF orientation
// and GPS position), a PNG with transparency, a large picture, an animated
// GIF and files that are not pictures.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { MAX_SIDE, MediaError, THUMB_SIDE, processImage, renamed } from './process.js';

const RED = { r: 255, g: 0, b: 0 };
const BLUE = { r: 0, g: 0, b: 255 };

/** phonePhoto is a 300×200 JPEG, red on the left and blue on the right, stored sideways (orientation 6) with a GPS position and a camera make. */
async function phonePhoto(): Promise<Buffer> {
  const left = await sharp({ create: { width: 150, height: 200, channels: 3, background: RED } }).png().toBuffer();
  return sharp({ create: { width: 300, height: 200, channels: 3, background: BLUE } })
    .composite([{ input: left, left: 0, top: 0 }])
    .jpeg()
    .withExif({
      IFD0: { Make: 'PhoneCo', Model: 'Pocket 9' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 1234/100', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 3960/100' },
    })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

async function pixel(image: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [data[i], data[i + 1], data[i + 2]];
}

function near(actual: number[], want: { r: number; g: number; b: number }): boolean {
  return Math.abs(actual[0] - want.r) < 40 && Math.abs(actual[1] - want.g) < 40 && Math.abs(actual[2] - want.b) < 40;
}

describe('processImage', () => {
  it('turns a sideways phone photo upright and leaves no metadata behind', async () => {
    const input = await phonePhoto();
    const before = await sharp(input).metadata();
    // the sample really carries what a phone writes
    expect(before.orientation).toBe(6);
    expect(before.exif!.toString('latin1')).toContain('PhoneCo');
    // the GPS IFD pointer (tag 0x8825, little-endian) and the latitude rational 1234/100
    const GPS_POINTER = Buffer.from([0x25, 0x88]);
    const LATITUDE_SECONDS = Buffer.from([0xd2, 0x04, 0, 0, 0x64, 0, 0, 0]);
    expect(before.exif!.includes(GPS_POINTER)).toBe(true);
    expect(input.includes(LATITUDE_SECONDS)).toBe(true);
    expect(before.exif!.length).toBeGreaterThan(100);

    const out = await processImage(input);
    expect(out.type).toBe('image/jpeg');
    // orientation 6 is a quarter turn clockwise: the red left half is now on top
    expect([out.width, out.height]).toEqual([200, 300]);
    expect(near(await pixel(out.data, 100, 40), RED)).toBe(true);
    expect(near(await pixel(out.data, 100, 260), BLUE)).toBe(true);

    for (const image of [out.data, out.thumb]) {
      const after = await sharp(image).metadata();
      expect(after.exif).toBeUndefined();
      expect(after.xmp).toBeUndefined();
      expect(after.iptc).toBeUndefined();
      expect(after.orientation).toBeUndefined();
      // nothing of the camera or the place anywhere in the bytes
      expect(image.toString('latin1')).not.toMatch(/PhoneCo|Pocket 9|Exif/);
      expect(image.includes(LATITUDE_SECONDS)).toBe(false);
    }
    const thumb = await sharp(out.thumb).metadata();
    expect(thumb.format).toBe('webp');
    expect([thumb.width, thumb.height]).toEqual([200, 300]);
  });

  it('keeps the transparency of a PNG', async () => {
    const input = await sharp({ create: { width: 64, height: 48, channels: 4, background: { r: 0, g: 128, b: 0, alpha: 0.25 } } })
      .png()
      .toBuffer();
    const out = await processImage(input);
    expect(out.type).toBe('image/png');
    const meta = await sharp(out.data).metadata();
    expect(meta.hasAlpha).toBe(true);
    const { data } = await sharp(out.data).raw().toBuffer({ resolveWithObject: true });
    expect(Math.abs(data[3] - 64)).toBeLessThan(3);
    expect((await sharp(out.thumb).metadata()).hasAlpha).toBe(true);
  });

  it('shrinks a large picture to the maximum side and its thumbnail further', async () => {
    const input = await sharp({ create: { width: 6000, height: 3000, channels: 3, background: { r: 200, g: 180, b: 20 } } })
      .jpeg({ quality: 90 })
      .toBuffer();
    const out = await processImage(input);
    expect([out.width, out.height]).toEqual([MAX_SIDE, MAX_SIDE / 2]);
    const meta = await sharp(out.data).metadata();
    expect([meta.width, meta.height]).toEqual([MAX_SIDE, MAX_SIDE / 2]);
    const thumb = await sharp(out.thumb).metadata();
    expect(Math.max(thumb.width!, thumb.height!)).toBe(THUMB_SIDE);
  });

  it('converts TIFF, which browsers do not show, to JPEG', async () => {
    const input = await sharp({ create: { width: 40, height: 30, channels: 3, background: RED } }).tiff().toBuffer();
    const out = await processImage(input);
    expect(out.type).toBe('image/jpeg');
    expect((await sharp(out.data).metadata()).format).toBe('jpeg');
  });

  it('keeps a GIF animated', async () => {
    const frame = (c: typeof RED) => sharp({ create: { width: 20, height: 10, channels: 3, background: c } }).raw().toBuffer();
    const frames = Buffer.concat([await frame(RED), await frame(BLUE)]);
    const input = await sharp(frames, { raw: { width: 20, height: 20, channels: 3, pageHeight: 10 } }).gif().toBuffer();
    const out = await processImage(input);
    expect(out.type).toBe('image/gif');
    expect([out.width, out.height]).toEqual([20, 10]);
    expect((await sharp(out.data).metadata()).pages).toBe(2);
  });

  it('refuses what is not a picture, with a sentence', async () => {
    await expect(processImage(Buffer.from('<html><script>alert(1)</script></html>'))).rejects.toThrow(MediaError);
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic'), Buffer.alloc(40)]);
    await expect(processImage(heic)).rejects.toThrow(/HEIC photos cannot be converted/);
  });

  it('renames a converted file to its new format', () => {
    expect(renamed('IMG_0001.HEIC', 'jpg')).toBe('IMG_0001.jpg');
    expect(renamed('scan', 'png')).toBe('scan.png');
  });
});
