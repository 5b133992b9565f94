/**
 * Builds the klink tab's pages (tab/src) into `<outDir>`: `config.html`, `content.html`,
 * `personal.html` and content-hashed JS/CSS under `assets/` — minified, production React, ES
 * modules split so each page loads only what it uses at start (the card renderer loads when a
 * preview is shown). `buildTab` returns each page's initial JS and its gzipped size;
 * `tsx scripts/build-tab.ts [outDir]` (part of `npm run build`) builds into dist/tab unless the
 * sources are unchanged since the last build, prints the sizes, and fails above the budget.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { pageHtml } from './tab/page-html';

const ROOT = path.resolve(__dirname, '..');
const TAB = path.join(ROOT, 'tab');
/** The most initial JS a page may load, gzipped. */
export const INITIAL_JS_BUDGET = 300 * 1024;

const PAGES = [
  { name: 'config', title: 'klink: set up the tab' },
  { name: 'content', title: 'klink' },
  { name: 'personal', title: 'klink: your feeds' },
] as const;

export interface PageBuild {
  page: string;
  html: string;
  /** Files (relative to outDir) loaded before the page renders. */
  initialJs: string[];
  initialJsGzipBytes: number;
}

export interface TabBuild {
  outDir: string;
  pages: PageBuild[];
  ms: number;
}

export async function buildTab(outDir: string): Promise<TabBuild> {
  const started = performance.now();
  fs.rmSync(outDir, { recursive: true, force: true });
  const assets = path.join(outDir, 'assets');
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [
      ...PAGES.map((p) => ({ in: path.join(TAB, `src/pages/${p.name}.tsx`), out: p.name })),
      { in: path.join(TAB, 'src/tab.css'), out: 'tab' },
    ],
    outdir: assets,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome111', 'edge111', 'firefox115', 'safari16'],
    minify: true,
    treeShaking: true,
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'linked',
    jsx: 'automatic',
    tsconfig: path.join(TAB, 'tsconfig.json'),
    define: { 'process.env.NODE_ENV': '"production"' },
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    assetNames: '[name]-[hash]',
    metafile: true,
    logLevel: 'silent',
  });
  const outputs = result.metafile.outputs;
  const relative = (file: string) => path.relative(outDir, path.resolve(ROOT, file)).split(path.sep).join('/');
  const findEntry = (source: string) => {
    const found = Object.entries(outputs).find(([, o]) => o.entryPoint !== undefined && path.resolve(ROOT, o.entryPoint) === source);
    if (found === undefined) throw new Error(`esbuild wrote nothing for ${source}`);
    return found[0];
  };
  const css = relative(findEntry(path.join(TAB, 'src/tab.css')));
  const pages = PAGES.map((page): PageBuild => {
    const entry = findEntry(path.join(TAB, `src/pages/${page.name}.tsx`));
    const initial = staticClosure(entry, outputs);
    const html = pageHtml({ title: page.title, script: relative(entry), preloads: initial.slice(1).map(relative), styles: [css] });
    fs.writeFileSync(path.join(outDir, `${page.name}.html`), html);
    const gzip = initial.reduce((sum, file) => sum + gzipSync(fs.readFileSync(path.resolve(ROOT, file)), { level: 9 }).length, 0);
    return { page: page.name, html: `${page.name}.html`, initialJs: initial.map(relative), initialJsGzipBytes: gzip };
  });
  return { outDir, pages, ms: Math.round(performance.now() - started) };
}

/** An output and every chunk it imports statically (not the ones it loads on demand). */
function staticClosure(entry: string, outputs: esbuild.Metafile['outputs']): string[] {
  const seen: string[] = [];
  const visit = (file: string) => {
    if (seen.includes(file)) return;
    seen.push(file);
    for (const imported of outputs[file]?.imports ?? [])
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(entry);
  return seen;
}

/** A digest of everything the build reads, so an unchanged tab is not built again. */
function sourceStamp(): string {
  const hash = createHash('sha256');
  const files = [path.join(ROOT, 'package-lock.json'), __filename, path.join(__dirname, 'tab/page-html.ts')];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.push(full);
    }
  };
  walk(TAB);
  // The tab shares the command vocabulary with the bot.
  walk(path.join(ROOT, 'src/subscriptions'));
  for (const file of files.filter((f) => fs.existsSync(f))) hash.update(file).update('\0').update(fs.readFileSync(file));
  return hash.digest('hex');
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

async function main(): Promise<void> {
  const outDir = path.resolve(process.argv[2] ?? path.join(ROOT, 'dist/tab'));
  const stampFile = path.join(outDir, '.build-stamp');
  const stamp = sourceStamp();
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp) {
    console.log(`klink tab: up to date in ${path.relative(ROOT, outDir)}`);
    return;
  }
  const build = await buildTab(outDir);
  fs.writeFileSync(stampFile, stamp);
  console.log(`klink tab built into ${path.relative(ROOT, outDir)} in ${build.ms} ms; initial JS, gzipped:`);
  for (const page of build.pages) console.log(`  ${page.html.padEnd(14)} ${kb(page.initialJsGzipBytes)} (${page.initialJs.length} files)`);
  const over = build.pages.filter((p) => p.initialJsGzipBytes > INITIAL_JS_BUDGET);
  if (over.length > 0) {
    fs.rmSync(stampFile);
    throw new Error(`initial JS over the ${kb(INITIAL_JS_BUDGET)} budget: ${over.map((p) => p.html).join(', ')}`);
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
