/**
 * The shared start of the operator commands: arguments (node:util parseArgs, strict, so a missing
 * value is an error rather than the next option taken as the value), --help without a database,
 * configuration, the bot's database, exit code.
 */
import { parseArgs } from 'node:util';
import { type Config, ConfigError, loadConfig } from '../src/config';
import { StoreOpenError } from '../src/store/errors';
import { openStore } from '../src/store/open-store';
import type { Store } from '../src/store/store';

/** Exit code for arguments the command does not take (the usage is printed). */
export const USAGE_EXIT = 2;

/**
 * Runs `parse` (a strict parseArgs call); on an argument error prints it with `usage` and
 * returns null, so the command exits with USAGE_EXIT and changes nothing.
 */
export function parseOrUsage<T>(parse: () => T, usage: string, out: (text: string) => void): T | null {
  try {
    return parse();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) throw err;
    out(`${(err as Error).message}\n${usage}`);
    return null;
  }
}

/** True when --help (or -h) is among the arguments. */
function wantsHelp(argv: string[]): boolean {
  const { values } = parseArgs({ args: argv, strict: false, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  return values.help === true;
}

/**
 * Runs `command` against the database DATABASE_URL names (SQLite or PostgreSQL), then exits with
 * its code; with --help prints `help` and exits 0 without reading configuration or the database.
 */
export function runOperatorCommand(
  name: string,
  help: string,
  command: (store: Store, config: Readonly<Config>) => Promise<number>,
  argv = process.argv.slice(2),
): void {
  if (wantsHelp(argv)) {
    process.stdout.write(help);
    process.exit(0);
  }
  const run = async (): Promise<number> => {
    const config = loadConfig(process.env);
    const store = await openStore(config.store);
    try {
      return await command(store, config);
    } finally {
      await store.close();
    }
  };
  run().then(
    (code) => process.exit(code),
    (err: unknown) => {
      const known = err instanceof ConfigError || err instanceof StoreOpenError;
      process.stderr.write(`${name}: ${known ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
