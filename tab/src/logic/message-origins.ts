/**
 * Which parent origin teams-js may accept messages from besides the Teams hosts it knows: only in
 * local development, when the page is served from loopback and framed by a loopback page (a local
 * test host). Anywhere else: none, so teams-js keeps its own list of valid Teams origins.
 */

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase());
}

/** `[parentOrigin]` when both page and parent are loopback, else undefined. */
export function localMessageOrigins(pageHostname: string, parentOrigin: string | undefined): string[] | undefined {
  if (!isLoopbackHost(pageHostname) || parentOrigin === undefined) return undefined;
  let parent: URL;
  try {
    parent = new URL(parentOrigin);
  } catch {
    return undefined;
  }
  if (parent.protocol !== 'http:' && parent.protocol !== 'https:') return undefined;
  return isLoopbackHost(parent.hostname) && parent.origin === parentOrigin ? [parent.origin] : undefined;
}
