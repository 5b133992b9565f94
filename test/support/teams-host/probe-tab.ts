/**
 * Builds and serves the test-only probe tab (fixtures/probe-tab-page.ts): bundled with esbuild
 * into a temporary folder at test time, served by its own loopback HTTP server, so the tab's
 * origin differs from the Teams test host's as the bot's /tab/ pages will.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { build } from 'esbuild';
import { makeTempDir } from '../temp-dir';

const ENTRY = path.join(__dirname, 'fixtures', 'probe-tab-page.ts');

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Probe tab</title></head>
<body>
<dl>
  <dt>status</dt><dd><output id="status">loading</output></dd>
  <dt>context</dt><dd><output id="context"></output></dd>
  <dt>theme</dt><dd><output id="theme"></output></dd>
  <dt>token</dt><dd><output id="token"></output></dd>
  <dt>token error</dt><dd><output id="token-error"></output></dd>
  <dt>navigate</dt><dd><output id="navigate-result"></output></dd>
  <dt>reach out</dt><dd><output id="reach-out-result"></output></dd>
</dl>
<button id="get-token">Get token</button>
<button id="navigate">Navigate</button>
<button id="reach-out">Reach out</button>
<script src="probe.js"></script>
</body>
</html>
`;

const CONTENT_TYPES: Record<string, string> = {
  '/index.html': 'text/html; charset=utf-8',
  '/probe.js': 'text/javascript; charset=utf-8',
};

export interface ProbeTab {
  /** http://127.0.0.1:<port> */
  origin: string;
  /** The probe page's URL with `query` (`save=fail`, `reach=<url>`). */
  url(query?: Record<string, string>): string;
  close(): Promise<void>;
}

export async function startProbeTab(): Promise<ProbeTab> {
  const { dir, remove } = makeTempDir('klink-probe-tab-');
  await build({
    entryPoints: [ENTRY],
    bundle: true,
    outfile: path.join(dir, 'probe.js'),
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  fs.writeFileSync(path.join(dir, 'index.html'), PAGE);
  const server = http.createServer((req, res) => {
    const file = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const type = CONTENT_TYPES[file];
    if (req.method !== 'GET' || type === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(fs.readFileSync(path.join(dir, file)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (query = {}) => `${origin}/index.html?${new URLSearchParams(query).toString()}`,
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      remove();
    },
  };
}
