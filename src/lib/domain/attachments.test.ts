import { describe, expect, it } from 'vitest';
import { planSms } from './segments';
import {
  checkFile,
  checkPublicUrl,
  formatSize,
  placeholderLinks,
  previewOfFiles,
  publicLink,
  smsText,
  thumbBox,
  typeAllowed,
  typeOfName,
  DEFAULT_LIMITS,
} from './attachments';

describe('attachments', () => {
  it.each([
    ['IMG_0001.JPG', 'image/jpeg'],
    ['scan.heic', 'image/heic'],
    ['report.pdf', 'application/pdf'],
    ['logo.svg', 'image/svg+xml'],
    ['setup.exe', 'application/octet-stream'],
    ['README', 'application/octet-stream'],
  ])('types %s as %s', (name, type) => expect(typeOfName(name)).toBe(type));

  it('matches the admin list with wildcards', () => {
    expect(typeAllowed('image/png', 'image/*, application/pdf')).toBe(true);
    expect(typeAllowed('application/pdf', 'image/*, application/pdf')).toBe(true);
    expect(typeAllowed('application/zip', 'image/*, application/pdf')).toBe(false);
    expect(typeAllowed('application/vnd.openxmlformats-officedocument.wordprocessingml.document', DEFAULT_LIMITS.types)).toBe(true);
  });

  it('refuses with a sentence what is too big, refused or empty', () => {
    const limits = { maxMb: 2, types: 'image/*' };
    expect(checkFile({ name: 'a.jpg', size: 1000 }, limits)).toBe('');
    expect(checkFile({ name: 'a.jpg', size: 3 * 1024 * 1024 }, limits)).toBe('“a.jpg” is 3.0 MB; files are limited to 2 MB each.');
    expect(checkFile({ name: 'a.pdf', size: 10 }, limits)).toContain('(application/pdf) that cannot be sent here');
    expect(checkFile({ name: 'a.jpg', size: 0 }, limits)).toBe('“a.jpg” is empty.');
  });

  it('formats sizes for people', () => {
    expect([formatSize(512), formatSize(14_000), formatSize(3.2 * 1024 * 1024), formatSize(40 * 1024 * 1024)]).toEqual(['512 B', '14 KB', '3.2 MB', '40 MB']);
  });

  it('makes SMS links that count exactly like the real ones', () => {
    expect(checkPublicUrl('')).toBe('');
    expect(checkPublicUrl('https://messages.example.com')).toBe('');
    expect(checkPublicUrl('messages.example.com')).not.toBe('');
    expect(publicLink('https://m.example.com/', 'abc')).toBe('https://m.example.com/f/abc');
    const real = smsText('Your part', [publicLink('https://m.example.com', 'A'.repeat(22))]);
    const counted = smsText('Your part', placeholderLinks('https://m.example.com', 1));
    expect(counted.length).toBe(real.length);
    expect(planSms(counted)).toEqual(planSms(real));
    expect(smsText('', ['l1', 'l2'])).toBe('l1\nl2');
  });

  it('previews a message of files only, and sizes thumbnails before they load', () => {
    expect(previewOfFiles([{ name: 'a.jpg' }])).toBe('📎 a.jpg');
    expect(previewOfFiles([{ name: 'a.jpg' }, { name: 'b.pdf' }])).toBe('📎 2 files');
    expect(thumbBox(4000, 3000)).toEqual({ width: 240, height: 180 });
    expect(thumbBox(200, 300)).toEqual({ width: 160, height: 240 });
    expect(thumbBox(0, 0)).toEqual({ width: 240, height: 180 });
  });
});
