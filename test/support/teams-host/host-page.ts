/**
 * The test host's page, the stand-in for the Teams web client's window: a title bar and the tab in
 * an iframe filling the rest, themed like Teams (light, dark, high contrast). Its script is the
 * postMessage end of the wire: it takes teams-js requests from the tab's frame only (source and
 * origin checked, as Teams does), hands each to Node through the `teamsHostReceive` binding
 * (host-session.ts decides the answer), posts the answer back to the tab's origin, and exposes
 * `teamsHostPush(func, args)` for events from the host (`themeChange`, `settings.save`).
 * Query: `tab` (the tab's URL), `title`, `theme`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const RECEIVE_BINDING = 'teamsHostReceive';
export const PUSH_FUNCTION = 'teamsHostPush';

const HOST_SCRIPT = `
(() => {
  const params = new URLSearchParams(location.search);
  const tabUrl = params.get('tab');
  const tabOrigin = new URL(tabUrl).origin;
  const frame = document.getElementById('tab');
  document.getElementById('title').textContent = params.get('title') || '';
  document.body.dataset.theme = params.get('theme') || 'default';
  window.addEventListener('message', async (event) => {
    if (event.source !== frame.contentWindow || event.origin !== tabOrigin) return;
    const request = event.data;
    if (!request || typeof request !== 'object' || typeof request.id !== 'number' || typeof request.func !== 'string') return;
    const answer = await window.${RECEIVE_BINDING}(request);
    if (answer && event.source) {
      event.source.postMessage({ id: request.id, uuidAsString: request.uuidAsString, args: answer.args }, event.origin);
    }
  });
  window.${PUSH_FUNCTION} = (func, args) => {
    if (func === 'themeChange') document.body.dataset.theme = args[0];
    frame.contentWindow.postMessage({ func, args }, tabOrigin);
  };
  frame.src = tabUrl;
})();
`;

const HOST_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Microsoft Teams (test host)</title>
<style>
  html, body { margin: 0; height: 100%; }
  body { display: flex; flex-direction: column; font: 14px 'Segoe UI', system-ui, sans-serif; background: #f5f5f5; color: #242424; }
  body[data-theme='dark'] { background: #1f1f1f; color: #ffffff; }
  body[data-theme='contrast'] { background: #000000; color: #ffff00; }
  header { padding: 8px 16px; font-weight: 600; }
  iframe { flex: 1; width: 100%; border: 0; }
</style>
</head>
<body>
<header id="title"></header>
<iframe id="tab" title="Tab"></iframe>
<script>${HOST_SCRIPT}</script>
</body>
</html>
`;

export interface HostServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  /** The host page's URL for a tab. */
  pageUrl(tabUrl: string, options: { title?: string; theme?: string }): string;
  close(): Promise<void>;
}

/** Serves the host page on a loopback port of its own (the tab's origin is a different one). */
export async function startHostServer(): Promise<HostServer> {
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (req.method === 'GET' && path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(HOST_PAGE);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    pageUrl(tabUrl, { title, theme }) {
      const query = new URLSearchParams({ tab: tabUrl, title: title ?? '', theme: theme ?? 'default' });
      return `${origin}/?${query.toString()}`;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
