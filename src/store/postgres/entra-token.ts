/**
 * Entra tokens for Azure Database for PostgreSQL: the app's managed identity asks for a token
 * for the database resource; the token is the connection's password. One token serves every
 * new connection until five minutes before it expires.
 */
import type { AccessToken, TokenCredential } from '@azure/identity';

/** The resource Azure Database for PostgreSQL accepts Entra tokens for. */
export const POSTGRES_SCOPE = 'https://ossrdbms-aad.database.windows.net/.default';
const REFRESH_BEFORE_MS = 5 * 60_000;

export interface TokenSource {
  token(): Promise<string>;
}

/** Tokens from a credential, cached until shortly before they expire. */
export function cachedTokens(credential: TokenCredential, now: () => number = Date.now): TokenSource {
  let current: AccessToken | null = null;
  let fetching: Promise<AccessToken> | null = null;
  return {
    async token() {
      if (current && current.expiresOnTimestamp - REFRESH_BEFORE_MS > now()) return current.token;
      fetching ??= credential
        .getToken(POSTGRES_SCOPE)
        .then((token) => {
          if (!token) throw new Error('the managed identity returned no token for Azure Database for PostgreSQL');
          return token;
        })
        .finally(() => {
          fetching = null;
        });
      current = await fetching;
      return current.token;
    },
  };
}

/**
 * The app's managed identity: user-assigned when `clientId` is given, else system-assigned.
 * @azure/identity is loaded on the first token, only by deployments that use it.
 */
export function managedIdentityToken(clientId: string | null): TokenSource {
  let credential: Promise<TokenCredential> | null = null;
  const load = async (): Promise<TokenCredential> => {
    const { ManagedIdentityCredential } = await import('@azure/identity');
    return clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential();
  };
  const lazy: TokenCredential = {
    getToken: async (scopes, options) => {
      credential ??= load();
      return (await credential).getToken(scopes, options);
    },
  };
  return cachedTokens(lazy);
}
