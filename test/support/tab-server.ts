/**
 * A loopback web server for the klink tab's browser tests against an app outside local mode: the
 * built pages (dist of scripts/build-tab.ts) under /tab/ with the tab's Content-Security-Policy
 * but loopback allowed to frame them (the app itself lets only Microsoft's hosts frame the tab
 * outside local mode), and /api/ passed through to the real app, so pages and API share one origin.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export const TAB_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "img-src 'self' data: https:",
  "font-src 'self'",
  'frame-ancestors http://127.0.0.1:* http://localhost:*',
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

export interface TabServer {
  url: string;
  /** Requests that reached /api/, in order (method and path). */
  apiRequests: string[];
  close(): Promise<void>;
}

export async function startTabServer(distDir: string, apiUrl: string): Promise<TabServer> {
  const apiRequests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.startsWith('/api/')) {
      apiRequests.push(`${req.method} ${url.pathname}`);
      proxy(req, res, apiUrl + url.pathname + url.search).catch((err: unknown) => {
        // The app is gone (a test stopped it): answer as a gateway would.
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`bad gateway: ${err instanceof Error ? err.message : String(err)}`);
      });
      return;
    }
    const relative = url.pathname.startsWith('/tab/') ? url.pathname.slice('/tab/'.length) : null;
    const file = relative === null ? null : path.join(distDir, path.normalize(relative));
    if (file === null || !file.startsWith(distDir + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'content-security-policy': TAB_CSP,
      'cache-control': 'no-store',
    });
    res.end(fs.readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    apiRequests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function proxy(req: http.IncomingMessage, res: http.ServerResponse, target: string): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers: Record<string, string> = {};
  for (const name of ['authorization', 'content-type', 'accept']) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const answer = await fetch(target, {
    method: req.method,
    headers,
    body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
  });
  const body = Buffer.from(await answer.arrayBuffer());
  const out: Record<string, string> = {};
  for (const name of ['content-type', 'www-authenticate', 'retry-after', 'cache-control']) {
    const value = answer.headers.get(name);
    if (value !== null) out[name] = value;
  }
  res.writeHead(answer.status, out);
  res.end(body);
}
