/** Runs a describe block once per store (mocha), so integration tests hold on SQLite and on PostgreSQL. */
import { STORE_KINDS, type StoreKind } from './test-database';

/** Runs `body` once per store kind, as `describe(title [sqlite])` and `describe(title [postgres])`. */
export function eachStore(title: string, body: (this: Mocha.Suite, kind: StoreKind) => void): void {
  for (const kind of STORE_KINDS) {
    describe(`${title} [${kind}]`, function () {
      body.call(this, kind);
    });
  }
}
