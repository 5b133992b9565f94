/**
 * Which klink API client serves a klink connection. Replies (src/bot) and contact enrichment
 * (src/delivery) ask here rather than building clients themselves, so both use the same client —
 * and so the same per-connection concurrency limit — for a connection.
 *
 * The default connection uses KLINK_API_TOKEN; a further connection uses its own token, stored
 * sealed with DATA_ENCRYPTION_KEY (`npm run connections -- set <id> --api-token-file …`). One
 * client per connection is kept and replaced when the token changes; since another instance (or
 * the operator command) may change it, a connection is read again once its answer is TOKEN_TTL_MS
 * old. The connection's own reply setting is read with it (see reply-policy.ts).
 */
import type { Logger } from '../log';
import type { ReplySetting, TenantStore } from '../store/store';
import { createKlinkApiClient, type KlinkApiClient, type KlinkApiClientOptions } from './api-client';
import { DEFAULT_CONNECTION, openApiToken } from './connections';

export interface KlinkApiSource {
  /** The connection's client, or null when the connection has no API token. */
  forConnection(connectionId: string): Promise<KlinkApiClient | null>;
}

/** A source that also knows each connection's own reply setting. */
export interface ConnectionAccess extends KlinkApiSource {
  /** The connection's own reply setting; null: none (as KLINK_REPLY says), or no such connection. */
  replySetting(connectionId: string): Promise<ReplySetting | null>;
}

/** A token or setting changed by another instance or the operator is used within this long. */
export const TOKEN_TTL_MS = 30_000;

export interface KlinkApiSourceOptions {
  /** Where further connections' tokens are; without it only the default connection has a client. */
  connections?: Pick<TenantStore, 'getConnection'>;
  now?: () => number;
  ttlMs?: number;
  /** Passed to each client (tests: timeouts, waits). */
  client?: Omit<KlinkApiClientOptions, 'baseUrl' | 'token' | 'log'>;
}

interface Entry {
  sealed: string | null;
  client: KlinkApiClient | null;
  reply: ReplySetting | null;
  readAt: number;
}

/** One client per connection: the default one from KLINK_API_TOKEN, the others from their stored tokens. */
export function klinkApiSourceFromConfig(
  config: { klinkApi: { token: string | null; baseUrl: string }; dataEncryptionKey?: Buffer | null },
  log?: Logger,
  options: KlinkApiSourceOptions = {},
): ConnectionAccess {
  const { token, baseUrl } = config.klinkApi;
  const make = (apiToken: string) => createKlinkApiClient({ ...options.client, baseUrl, token: apiToken, log });
  const defaultClient = token === null ? null : make(token);
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlMs ?? TOKEN_TTL_MS;
  const entries = new Map<string, Entry>();

  const entry = async (connectionId: string): Promise<Entry | null> => {
    const store = options.connections;
    const key = config.dataEncryptionKey ?? null;
    if (store === undefined) return null;
    const cached = entries.get(connectionId);
    if (cached !== undefined && now() - cached.readAt < ttlMs) return cached;
    const connection = await store.getConnection(connectionId);
    const sealed = connection?.apiTokenEncrypted ?? null;
    let client = cached !== undefined && cached.sealed === sealed ? cached.client : null;
    if (client === null && sealed !== null && key !== null) {
      try {
        client = make(openApiToken(key, connectionId, sealed));
      } catch (err) {
        // Sealed under another DATA_ENCRYPTION_KEY, or altered: the connection gets no client.
        log?.warn({ connectionId, err: (err as Error).message }, "a klink connection's API token cannot be opened; no API access for it");
      }
    }
    const fresh: Entry = { sealed, client, reply: connection?.reply ?? null, readAt: now() };
    entries.set(connectionId, fresh);
    return fresh;
  };

  return {
    async forConnection(connectionId) {
      if (connectionId === DEFAULT_CONNECTION) return defaultClient;
      return (await entry(connectionId))?.client ?? null;
    },
    async replySetting(connectionId) {
      if (connectionId === DEFAULT_CONNECTION) return null;
      return (await entry(connectionId))?.reply ?? null;
    },
  };
}
