/** Why a store could not be opened, in words an operator can act on. */

export class StoreOpenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreOpenError';
  }
}

/** The database was migrated by a newer klink-teams: this one must not write to it. */
export class SchemaTooNewError extends StoreOpenError {
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(
      `the database schema is at version ${found}, newer than this klink-teams knows (${known}): ` +
        'run the newer klink-teams against it, or point DATABASE_URL at another database',
    );
    this.name = 'SchemaTooNewError';
  }
}
