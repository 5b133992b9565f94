/** The shared start of the operator commands: configuration, the bot's database, exit code. */
import { type Config, ConfigError, loadConfig } from '../src/config';
import { StoreOpenError } from '../src/store/errors';
import { openStore } from '../src/store/open-store';
import type { Store } from '../src/store/store';

/** Runs `command` against the database DATABASE_URL names (SQLite or PostgreSQL), then exits with its code. */
export function runOperatorCommand(name: string, command: (store: Store, config: Readonly<Config>) => Promise<number>): void {
  const run = async (): Promise<number> => {
    const config = loadConfig(process.env);
    const store = await openStore(config.store);
    try {
      return await command(store, config);
    } finally {
      await store.close();
    }
  };
  run().then((code) => process.exit(code), (err: unknown) => {
    const known = err instanceof ConfigError || err instanceof StoreOpenError;
    process.stderr.write(`${name}: ${known ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
