// Message bodies are text. Links are found here and rendered as <a> elements
// by the view, never through HTML, so nothing in a message can inject markup.

/** Segment is a run of a message body: plain text, or a link with its address. */
export interface Segment {
  text: string;
  /** set when this run is a web address */
  href?: string;
}

const URL_RE = /\bhttps?:\/\/[^\s<>"]+/gi;
// punctuation that ends a sentence rather than the address
const TRAILING_RE = /[.,;:!?'")\]}]+$/;

/** linkify splits a body into text and http(s) links. */
export function linkify(body: string): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  for (const match of body.matchAll(URL_RE)) {
    let url = match[0];
    const trailing = url.match(TRAILING_RE)?.[0] ?? '';
    // keep a closing parenthesis that closes one inside the address (Wikipedia links)
    let cut = trailing.length;
    if (trailing.startsWith(')') && countOf(url, '(') >= countOf(url, ')')) cut = 0;
    url = url.slice(0, url.length - cut);
    const start = match.index;
    if (start > last) segments.push({ text: body.slice(last, start) });
    segments.push({ text: url, href: url });
    last = start + url.length;
  }
  if (last < body.length) segments.push({ text: body.slice(last) });
  return segments;
}

function countOf(s: string, ch: string): number {
  return s.split(ch).length - 1;
}
