/** The shared start of the operator commands: configuration, the bot's database, exit code. */
import { type Config, loadConfig } from '../src/config';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store';
import type { Store } from '../src/store/store';

/** Runs `command` against the database DATABASE_URL names, then exits with its code. */
export function runOperatorCommand(name: string, command: (store: Store, config: Readonly<Config>) => Promise<number>): void {
  const config = loadConfig(process.env);
  if (config.store.kind !== 'sqlite') throw new Error('only the SQLite store is available');
  const store = openSqliteStore(config.store.file);
  command(store, config).then(async (code) => {
    await store.close();
    process.exit(code);
  }, (err: unknown) => {
    process.stderr.write(`${name}: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
