/**
 * `npm run package`: builds the Teams app package appPackage/build/klink-teams.zip — manifest.json
 * with its ${{…}} placeholders filled from the configuration, validated offline against the
 * official Teams schema shipped in @microsoft/app-manifest, plus the two icons, checked.
 *
 * Usage: npm run package -- [--out <zip file>] [--app-package <folder>] (paths relative to the
 * working directory; npm runs scripts from the project folder). Exit 0 written, 1 problems, 2 usage.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import JSZip from 'jszip';
import { PNG } from 'pngjs';
import { AppManifestUtils, type TeamsManifest } from '@microsoft/app-manifest';
import { applicationIdUri } from '../src/auth/tab-token';
import { loadPackageConfig } from '../src/config';
import { tabRules } from './manifest-tab-rules';

type Env = Readonly<Record<string, string | undefined>>;

export interface BuildOptions {
  env: Env;
  /** Folder holding manifest.json, color.png and outline.png. */
  appPackageDir: string;
  outFile: string;
}

export type BuildResult = { ok: true; zipPath: string; manifest: Record<string, unknown> } | { ok: false; errors: string[] };

export const DEFAULT_APP_PACKAGE_DIR = path.resolve(__dirname, '..', 'appPackage');
export const DEFAULT_OUT_FILE = path.join(DEFAULT_APP_PACKAGE_DIR, 'build', 'klink-teams.zip');
export const PLACEHOLDERS = ['BOT_ID', 'PUBLIC_URL', 'PUBLIC_HOSTNAME', 'APPLICATION_ID_URI'] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];

const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
const PLACEHOLDER = /\$\{\{([^}]*)\}\}/g;
const SCHEMA_URL = /^https:\/\/developer\.microsoft\.com\/json-schemas\/teams\/v(\d+\.\d+)\/MicrosoftTeams\.schema\.json$/;
/** Fixed zip entry time, so the same inputs give a byte-identical package. */
const ZIP_DATE = new Date('2025-01-01T00:00:00Z');
// Teams shows bot commands in a menu: titles up to 32 characters, descriptions up to 128
// (the JSON schema alone allows more).
const COMMAND_TITLE_MAX = 32;
const COMMAND_DESCRIPTION_MAX = 128;

/** Builds and writes the app package; returns every problem found instead when there are any. */
export async function buildAppPackage(options: BuildOptions): Promise<BuildResult> {
  const { values, errors } = placeholderValues(options.env);
  const icons = await readIcons(options.appPackageDir);
  errors.push(...icons.errors);

  const template = await readManifestTemplate(options.appPackageDir);
  if (!template.ok) return { ok: false, errors: [...errors, template.error] };
  const filled = fillPlaceholders(template.manifest, values);
  errors.push(...filled.errors);
  if (filled.unfilled.length === 0) errors.push(...(await validateManifest(filled.manifest)));
  if (filled.unfilled.length === 0 && values.BOT_ID !== undefined && values.PUBLIC_URL !== undefined) {
    errors.push(...tabRules(filled.manifest, { botId: values.BOT_ID, publicUrl: values.PUBLIC_URL }));
  }
  if (errors.length > 0) return { ok: false, errors };

  const zip = new JSZip();
  zip.file('manifest.json', `${JSON.stringify(filled.manifest, null, 2)}\n`, { date: ZIP_DATE });
  for (const [name, bytes] of icons.files) zip.file(name, bytes, { date: ZIP_DATE });
  const content = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
  await fs.mkdir(path.dirname(options.outFile), { recursive: true });
  await fs.writeFile(options.outFile, content);
  return { ok: true, zipPath: options.outFile, manifest: filled.manifest };
}

/** Placeholder values from the configuration, with what to set for each one missing. */
export function placeholderValues(env: Env): { values: Partial<Record<Placeholder, string>>; errors: string[] } {
  const errors: string[] = [];
  const values: Partial<Record<Placeholder, string>> = {};
  // Only the bot's identity and public URL go into the package; runtime settings are not needed.
  const { botId, publicUrl } = loadPackageConfig(env);

  if (botId === null) {
    errors.push("BOT_ID is not set: set BOT_ID to the Azure Bot's Microsoft App ID (the Entra app's client id, a GUID)");
  } else if (!GUID.test(botId)) {
    errors.push(
      `BOT_ID "${botId}" is not a GUID: set BOT_ID to the Azure Bot's Microsoft App ID, e.g. 8b3c2a51-6f0e-4c7d-9a12-3e4f5a6b7c8d`,
    );
  } else {
    values.BOT_ID = botId;
  }

  if (publicUrl === null) {
    errors.push(
      "PUBLIC_URL is not set: set it to the bot's public https base URL, e.g. https://klink-teams.example.com (the privacy and terms links and validDomains come from it)",
    );
  } else if (!publicUrl.startsWith('https://')) {
    errors.push(`PUBLIC_URL "${publicUrl}" is not https: Teams needs https links; set it to the bot's public https base URL`);
  } else {
    values.PUBLIC_URL = publicUrl;
    values.PUBLIC_HOSTNAME = new URL(publicUrl).hostname;
  }
  // The tab's single sign-on resource: the same audience the server accepts for tab tokens.
  if (values.BOT_ID !== undefined && values.PUBLIC_URL !== undefined) {
    values.APPLICATION_ID_URI = applicationIdUri(values.PUBLIC_URL, values.BOT_ID);
  }
  return { values, errors };
}

async function readManifestTemplate(dir: string): Promise<{ ok: true; manifest: unknown } | { ok: false; error: string }> {
  const file = path.join(dir, 'manifest.json');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    return { ok: false, error: `cannot read ${file}: ${(err as Error).message}` };
  }
  try {
    return { ok: true, manifest: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: `${file} is not valid JSON: ${(err as Error).message}` };
  }
}

/** Replaces ${{NAME}} in every string of the manifest; reports unknown names and leftovers. */
export function fillPlaceholders(
  template: unknown,
  values: Partial<Record<Placeholder, string>>,
): { manifest: Record<string, unknown>; unfilled: string[]; errors: string[] } {
  const unfilled = new Set<string>();
  const unknown = new Set<string>();
  const fill = (node: unknown): unknown => {
    if (typeof node === 'string') {
      return node.replace(PLACEHOLDER, (whole: string, raw: string) => {
        const name = raw.trim();
        if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
          unknown.add(name);
          return whole;
        }
        const value = values[name as Placeholder];
        if (value === undefined) unfilled.add(name);
        return value ?? whole;
      });
    }
    if (Array.isArray(node)) return node.map(fill);
    if (isRecord(node)) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fill(v)]));
    return node;
  };
  const manifest = fill(template);
  const errors = [...unknown].map(
    (name) => `manifest.json uses \${{${name}}}, which the packager does not fill: use ${PLACEHOLDERS.map((p) => `\${{${p}}}`).join(', ')}`,
  );
  if (!isRecord(manifest)) return { manifest: {}, unfilled: [...unfilled], errors: [...errors, 'manifest.json must hold a JSON object'] };
  if (unknown.size === 0 && unfilled.size === 0 && JSON.stringify(manifest).includes('${{')) {
    errors.push('manifest.json still contains "${{" after filling: a placeholder is malformed (write ${{NAME}})');
  }
  return { manifest, unfilled: [...unfilled, ...unknown], errors };
}

/** Checks the filled manifest against the Teams JSON schema it names (offline) and the rules the schema leaves out. */
export async function validateManifest(manifest: Record<string, unknown>): Promise<string[]> {
  const schemaUrl = manifest.$schema;
  const version = typeof schemaUrl === 'string' ? SCHEMA_URL.exec(schemaUrl)?.[1] : undefined;
  if (version === undefined) {
    return [
      `manifest.json $schema must be https://developer.microsoft.com/json-schemas/teams/v1.NN/MicrosoftTeams.schema.json (got ${JSON.stringify(schemaUrl)})`,
    ];
  }
  // validateAgainstSchema downloads schemas it does not ship: insist on a shipped one so packaging stays offline.
  const local = path.join(
    path.dirname(require.resolve('@microsoft/app-manifest')),
    'json-schemas',
    'teams',
    `v${version}`,
    'MicrosoftTeams.schema.json',
  );
  if (!(await exists(local))) {
    return [
      `manifest.json names schema v${version}, which @microsoft/app-manifest does not ship: use a version found in ${path.dirname(path.dirname(local))}`,
    ];
  }
  const errors: string[] = [];
  if (manifest.manifestVersion !== version) {
    errors.push(`manifest.json manifestVersion ${JSON.stringify(manifest.manifestVersion)} does not match its $schema (v${version})`);
  }
  const schemaErrors = await AppManifestUtils.validateAgainstSchema(manifest as unknown as TeamsManifest);
  errors.push(...schemaErrors.map((e) => `manifest.json does not match the Teams v${version} schema: ${e.trim()}`));
  errors.push(...commandLimits(manifest));
  return errors;
}

function commandLimits(manifest: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const bots = Array.isArray(manifest.bots) ? manifest.bots : [];
  for (const bot of bots) {
    const lists: unknown[] = isRecord(bot) && Array.isArray(bot.commandLists) ? bot.commandLists : [];
    for (const list of lists) {
      const commands: unknown[] = isRecord(list) && Array.isArray(list.commands) ? list.commands : [];
      for (const command of commands) {
        if (!isRecord(command)) continue;
        const { title, description } = command;
        if (typeof title === 'string' && title.length > COMMAND_TITLE_MAX) {
          errors.push(`bot command "${title}": title is ${title.length} characters, Teams allows ${COMMAND_TITLE_MAX}`);
        }
        if (typeof description === 'string' && description.length > COMMAND_DESCRIPTION_MAX) {
          errors.push(
            `bot command "${String(title)}": description is ${description.length} characters, Teams allows ${COMMAND_DESCRIPTION_MAX}`,
          );
        }
      }
    }
  }
  return errors;
}

async function readIcons(dir: string): Promise<{ files: Map<string, Buffer>; errors: string[] }> {
  const files = new Map<string, Buffer>();
  const errors: string[] = [];
  const rules: Array<[string, (png: PNG) => string[]]> = [
    ['color.png', checkColorIcon],
    ['outline.png', checkOutlineIcon],
  ];
  for (const [name, check] of rules) {
    const file = path.join(dir, name);
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(file);
    } catch (err) {
      errors.push(`cannot read ${file}: ${(err as Error).message}`);
      continue;
    }
    const png = decodePng(bytes);
    if (typeof png === 'string') errors.push(`${name} is not a readable PNG: ${png}`);
    else errors.push(...check(png).map((e) => `${name}: ${e}`));
    files.set(name, bytes);
  }
  return { files, errors };
}

/** Decodes a PNG, or returns why it cannot. */
export function decodePng(bytes: Buffer): PNG | string {
  try {
    return PNG.sync.read(bytes);
  } catch (err) {
    return (err as Error).message;
  }
}

/** Teams colour icon: 192×192, and a picture rather than one flat colour. */
export function checkColorIcon(png: PNG): string[] {
  const errors: string[] = [];
  if (png.width !== 192 || png.height !== 192) errors.push(`must be 192×192 pixels, is ${png.width}×${png.height}`);
  const first = png.data.readUInt32BE(0);
  let uniform = true;
  for (let i = 4; i < png.data.length && uniform; i += 4) uniform = png.data.readUInt32BE(i) === first;
  if (uniform) errors.push('is a single flat colour: draw the app icon');
  return errors;
}

/** Teams outline icon: 32×32, transparent background, every visible pixel white. */
export function checkOutlineIcon(png: PNG): string[] {
  const errors: string[] = [];
  if (png.width !== 32 || png.height !== 32) errors.push(`must be 32×32 pixels, is ${png.width}×${png.height}`);
  let transparent = 0;
  let opaque = 0;
  const offenders: string[] = [];
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b, a] = [png.data[i], png.data[i + 1], png.data[i + 2], png.data[i + 3]];
    if (a === 0) transparent++;
    else if (r !== 255 || g !== 255 || b !== 255) offenders.push(`(${(i / 4) % png.width},${Math.floor(i / 4 / png.width)})`);
    if (a === 255) opaque++;
  }
  if (offenders.length > 0) {
    errors.push(
      `${offenders.length} visible pixels are not white #FFFFFF, e.g. at ${offenders.slice(0, 3).join(' ')}: use only white on transparent`,
    );
  }
  if (transparent === 0) errors.push('has no transparent pixels: the background must be transparent');
  if (opaque === 0) errors.push('has no opaque pixels: draw the glyph in opaque white');
  return errors;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/** Reads `--out <file>` and `--app-package <folder>` (relative to the working directory). */
export function parseArgs(argv: readonly string[]): { outFile: string; appPackageDir: string } | string {
  let outFile = DEFAULT_OUT_FILE;
  let appPackageDir = DEFAULT_APP_PACKAGE_DIR;
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag !== '--out' && flag !== '--app-package') return `unknown argument ${flag}`;
    if (value === undefined || value === '' || value.startsWith('--')) return `${flag} needs a value`;
    if (flag === '--out') outFile = path.resolve(value);
    else appPackageDir = path.resolve(value);
  }
  return { outFile, appPackageDir };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    process.stderr.write(`${args}\nusage: tsx scripts/package.ts [--out <zip file>] [--app-package <folder>]\n`);
    return 2;
  }
  const result = await buildAppPackage({ env: process.env, ...args });
  if (!result.ok) {
    process.stderr.write(`Cannot build the Teams app package; fix these:\n${result.errors.map((e) => `  - ${e}`).join('\n')}\n`);
    return 1;
  }
  const m = result.manifest;
  process.stdout.write(
    `Wrote ${result.zipPath}\n  manifest ${String(m.manifestVersion)}, app version ${String(m.version)}, bot ${String(m.id)}\n` +
      '  Upload it in Teams (Apps → Manage your apps → Upload an app) or to the org catalog in the Teams admin center.\n',
  );
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`Packaging failed unexpectedly: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
