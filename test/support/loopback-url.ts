/**
 * Whether a URL or origin points at this machine's loopback interface: http(s) to 127.0.0.1,
 * localhost or [::1], any port. Browser tests allow only these requests; a tab page served from
 * such an origin may trust a parent frame on such an origin (local development and tests).
 * No Node or DOM APIs, so browser pages can bundle it too.
 */
const LOOPBACK_HOSTNAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function isLoopbackUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && LOOPBACK_HOSTNAMES.has(parsed.hostname);
}
