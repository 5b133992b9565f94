/**
 * Which klink API client serves a klink connection. Replies (src/bot) and contact enrichment
 * (src/delivery) ask here rather than building clients themselves, so both use the same client —
 * and so the same per-connection concurrency limit — for a connection.
 *
 * Today: the default connection uses KLINK_API_TOKEN; other connections have no API access.
 */
import type { Logger } from '../log';
import { createKlinkApiClient, type KlinkApiClient } from './api-client';
import { DEFAULT_CONNECTION } from './connections';

export interface KlinkApiSource {
  /** The connection's client, or null when the connection has no API token. */
  forConnection(connectionId: string): Promise<KlinkApiClient | null>;
}

/** One client per connection, made on first use and kept. */
export function klinkApiSourceFromConfig(config: { klinkApi: { token: string | null; baseUrl: string } }, log?: Logger): KlinkApiSource {
  const { token, baseUrl } = config.klinkApi;
  const defaultClient = token === null ? null : createKlinkApiClient({ baseUrl, token, log });
  return {
    forConnection: (connectionId) => Promise.resolve(connectionId === DEFAULT_CONNECTION ? defaultClient : null),
  };
}
