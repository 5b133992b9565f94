/**
 * A stand-in for the built klink tab: a temp folder with fake pages and assets (tests never depend
 * on the real build), a secret file beside it that no request may reach, and a raw HTTP request
 * that sends a path exactly as written (fetch would normalise `..` before sending).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { makeTempDir } from './temp-dir';

export const FAKE_TAB_FILES: Readonly<Record<string, string>> = {
  'config.html': '<!doctype html><title>klink tab: configure</title>',
  'content.html': '<!doctype html><title>klink tab: feed</title>',
  'personal.html': '<!doctype html><title>klink tab: personal</title>',
  'index.html': '<!doctype html><title>index</title>',
  'content-5XG2TQ7K.js': 'console.log("content");',
  'content-5XG2TQ7K.css': 'body{margin:0}',
  'app.js': 'console.log("not hashed");',
  'assets/logo-QW3RTY7A.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
  'assets/icon.png': 'png-bytes',
  'assets/font-ABCD2345.woff2': 'woff2-bytes',
  'content-5XG2TQ7K.js.map': '{"version":3}',
  'notes.xyz': 'unknown kind',
  '.env': 'SECRET_IN_TAB_DIR=1',
};
export const SECRET = 'TOP-SECRET-OUTSIDE-THE-TAB';

export interface FakeTab {
  /** The tab directory to pass as AppOptions.tabDir. */
  dir: string;
  /** The temp folder holding it and secret.txt. */
  root: string;
  remove(): void;
}

export function makeFakeTab(): FakeTab {
  const temp = makeTempDir('klink-tab-');
  const dir = path.join(temp.dir, 'tab');
  for (const [name, text] of Object.entries(FAKE_TAB_FILES)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  fs.writeFileSync(path.join(temp.dir, 'secret.txt'), SECRET);
  fs.symlinkSync(path.join(temp.dir, 'secret.txt'), path.join(dir, 'linked.txt'));
  return { dir, root: temp.dir, remove: temp.remove };
}

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Sends `method rawPath` to `baseUrl` with the path byte for byte as given. */
export function rawRequest(baseUrl: string, rawPath: string, method = 'GET'): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path: rawPath, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
