/**
 * `GET`/`HEAD /tab/<file>`: the klink tab's built pages and assets (`npm run build` writes them to
 * the tab directory). No directory index; only plain file names inside the directory
 * (src/http/tab-path.ts). Every answer carries the tab's Content-Security-Policy and `nosniff`;
 * HTML is revalidated on every load (`no-cache`) so a deployment shows at once, while assets
 * whose name carries a content hash (`<name>-<HASH>.<ext>`, esbuild's `[name]-[hash]`: eight or
 * more upper-case letters or digits) never change and are cached for a year.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Request, Response, Server } from 'restify';
import { tabContentSecurityPolicy } from './tab-csp';
import { resolveTabFile, tabFileOf } from './tab-path';

export interface TabFilesDeps {
  /** The built tab: config.html, content.html, personal.html and their assets. */
  dir: string;
  /** frame-ancestors sources (src/http/tab-csp.ts). */
  frameAncestors: readonly string[];
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
const HASHED = /-[A-Z0-9]{8,}\.[A-Za-z0-9]+$/;
const YEAR_SECONDS = 365 * 24 * 60 * 60;
const NOT_A_TAB_FILE = 'Not found: no such file of the klink tab.\n';
const NOT_BUILT =
  'Not found: this file of the klink tab is not here. If the tab was not built on this server, run `npm run build` (it writes the tab to dist/tab).\n';

export function registerTabFiles(server: Server, deps: TabFilesDeps): void {
  const handler = tabFileHandler(deps);
  server.get('/tab/*', handler);
  server.head('/tab/*', handler);
}

function tabFileHandler(deps: TabFilesDeps) {
  const security = {
    'content-security-policy': tabContentSecurityPolicy(deps.frameAncestors),
    'x-content-type-options': 'nosniff',
  };
  const answer = (req: Request, res: Response, status: number, headers: Record<string, string | number>, body: Buffer | string) => {
    res.writeHead(status, { ...security, ...headers, 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const notFound = (req: Request, res: Response, text: string) =>
    answer(req, res, 404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' }, text);

  return async (req: Request, res: Response): Promise<void> => {
    const name = tabFileOf(req.url ?? '');
    const file = name === null ? null : resolveTabFile(deps.dir, name);
    if (name === null || file === null) return notFound(req, res, NOT_A_TAB_FILE);
    const bytes = await readRegularFile(deps.dir, file);
    if (bytes === null) return notFound(req, res, NOT_BUILT);
    const ext = path.extname(file).toLowerCase();
    const cacheControl = ext !== '.html' && HASHED.test(name) ? `public, max-age=${YEAR_SECONDS}, immutable` : 'no-cache';
    answer(req, res, 200, { 'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream', 'cache-control': cacheControl }, bytes);
  };
}

/**
 * The file's bytes; null when it (or the directory) is missing, is not a regular file (a
 * directory: no index), or is a link leading out of the directory.
 */
async function readRegularFile(dir: string, file: string): Promise<Buffer | null> {
  const [realDir, realFile] = await Promise.all([realPath(dir), realPath(file)]);
  if (realDir === null || realFile === null || !realFile.startsWith(realDir + path.sep)) return null;
  const stat = await fs.stat(realFile);
  return stat.isFile() ? fs.readFile(realFile) : null;
}

async function realPath(file: string): Promise<string | null> {
  return fs.realpath(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
    throw err;
  });
}
