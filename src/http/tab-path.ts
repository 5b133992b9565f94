/**
 * Turns the request path of `GET /tab/<file>` into a file name inside the tab directory, or null.
 * Only plain names are accepted: segments of letters, digits, `.`, `_` and `-` that do not start
 * with a dot (no `..`, no dotfiles), no empty segment (no absolute paths, no `//`), no encoded `/`
 * or `\`, no NUL. Anything else is not a tab file, whatever it decodes to.
 */
import path from 'node:path';

const PREFIX = '/tab/';
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const ENCODED_SEPARATOR = /%(2f|5c|00)/i;

/** The relative file the raw request URL names under /tab/, or null when it names none. */
export function tabFileOf(rawUrl: string): string | null {
  const rawPath = rawUrl.split(/[?#]/, 1)[0];
  if (!rawPath.startsWith(PREFIX) || ENCODED_SEPARATOR.test(rawPath)) return null;
  const rest = rawPath.slice(PREFIX.length);
  if (rest === '') return null;
  const segments = rest.split('/').map(decodeSegment);
  if (segments.some((s) => s === null || !SEGMENT.test(s))) return null;
  return (segments as string[]).join('/');
}

/** The absolute file for a name tabFileOf accepted, checked once more to lie inside `dir`. */
export function resolveTabFile(dir: string, file: string): string | null {
  const root = path.resolve(dir);
  const full = path.resolve(root, file);
  return full.startsWith(root + path.sep) ? full : null;
}

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch (err) {
    if (err instanceof URIError) return null;
    throw err;
  }
}
