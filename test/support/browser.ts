/**
 * Headless Chromium for browser tests: Debian's `chromium` (/usr/bin/chromium, installed by
 * .ci/run) driven by playwright-core, which never downloads a browser of its own. Each test gets a
 * browser context whose network is loopback only: http(s) to 127.0.0.1, localhost and [::1] goes
 * through, everything else (a CDN, Microsoft's origin list, a font) is aborted and recorded in
 * `blocked`, so a test can assert what a page tried to reach and nothing waits on a network this
 * machine does not have.
 *
 *   const browser = await launchChromium();
 *   const { context, blocked, close } = await newLoopbackContext(browser);
 *   ... await close(); await browser.close();
 */
import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Request } from 'playwright-core';
import { isLoopbackUrl } from './loopback-url';

export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A request the context refused because it left the machine. */
export interface BlockedRequest {
  url: string;
  /** `request` (page, frame, fetch, XHR, subresource) or `websocket`. */
  kind: 'request' | 'websocket';
  /** The URL of the frame that asked, when known. */
  frameUrl: string | null;
}

export interface LoopbackContext {
  context: BrowserContext;
  /** Every non-loopback request so far, oldest first. */
  blocked: BlockedRequest[];
  /** Closes the context (and its pages). */
  close(): Promise<void>;
}

/** Launches headless Debian Chromium; fails (never skips) with the fix when it is not installed. */
export async function launchChromium(executablePath = CHROMIUM_PATH): Promise<Browser> {
  if (!fs.existsSync(executablePath)) {
    throw new Error(
      `Browser tests need Debian's chromium at ${executablePath}: install it with ` +
        '`apt-get update && apt-get install -y chromium` (.ci/run does this). Never `npx playwright install`.',
    );
  }
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

/** A fresh context of `browser` that lets only loopback traffic through and records the rest. */
export async function newLoopbackContext(browser: Browser, options: BrowserContextOptions = {}): Promise<LoopbackContext> {
  // Service workers could fetch past the context's routes; no page under test needs one.
  const context = await browser.newContext({ serviceWorkers: 'block', ...options });
  const blocked: BlockedRequest[] = [];
  await context.route(
    (url) => !isLoopbackUrl(url.href),
    async (route) => {
      const request = route.request();
      blocked.push({ url: request.url(), kind: 'request', frameUrl: frameUrlOf(request) });
      await route.abort('blockedbyclient');
    },
  );
  await context.routeWebSocket(
    (url) => !isLoopbackUrl(url.href.replace(/^ws/, 'http')),
    async (socket) => {
      blocked.push({ url: socket.url(), kind: 'websocket', frameUrl: null });
      await socket.close({ code: 1008, reason: 'non-loopback WebSocket blocked by the test' });
    },
  );
  return { context, blocked, close: () => context.close() };
}

/** The URL of the frame behind a request; navigations of a frame being created have none yet. */
function frameUrlOf(request: Request): string | null {
  try {
    return request.frame().url();
  } catch (error) {
    // playwright throws for service-worker and early navigation requests: no frame to name.
    if (error instanceof Error) return null;
    throw error;
  }
}
