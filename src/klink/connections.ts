/**
 * klink connections: the one configured in the environment (`default`, at /api/klink/webhook)
 * and further ones added by an operator (each at /api/klink/webhook/<id>, with its own signing
 * secret sealed in the store). A connection belongs to exactly one Entra tenant: its events only
 * reach that tenant's channels.
 */
import { randomBytes } from 'node:crypto';
import { open, seal } from '../auth/secret-box';
import type { Config, WebhookAuth } from '../config';
import type { Store } from '../store/store';

export const DEFAULT_CONNECTION = 'default';

export interface ResolvedConnection {
  id: string;
  auth: WebhookAuth;
  /** The tenant whose conversations may receive its events; null: any (local mode only). */
  tenantId: string | null;
}

export class Connections {
  constructor(
    private readonly store: Store,
    private readonly config: Readonly<Config>,
    /** The default connection's auth (the environment's, or the generated local secret). */
    private readonly defaultAuth: WebhookAuth,
  ) {}

  /** The connection with this id, or null when there is none (the webhook is then refused). */
  async resolve(id: string): Promise<ResolvedConnection | null> {
    if (id === DEFAULT_CONNECTION) return { id, auth: this.defaultAuth, tenantId: this.defaultTenant() };
    const stored = await this.store.tenants.getConnection(id);
    if (!stored || this.config.dataEncryptionKey === null) return null;
    const secret = open(this.config.dataEncryptionKey, stored.secretEncrypted, sealContext(id));
    return { id, auth: { mode: 'signature', secrets: [secret] }, tenantId: stored.tenantId };
  }

  /** KLINK_TENANT_ID (default BOT_TENANT_ID); in local mode without it, any tenant. */
  private defaultTenant(): string | null {
    return this.config.klinkTenantId;
  }
}

/**
 * The tenant a connection's events may be posted in (see ResolvedConnection.tenantId): for the
 * default connection KLINK_TENANT_ID (null: any, local mode only), else the stored connection's.
 */
export function connectionTenants(
  store: Pick<Store, 'tenants'>,
  config: Pick<Config, 'klinkTenantId'>,
): (id: string) => Promise<string | null> {
  return async (id) => {
    if (id === DEFAULT_CONNECTION) return config.klinkTenantId;
    // A connection that was removed keeps its tenant for events already taken; unknown: deliver nowhere.
    return (await store.tenants.getConnection(id, { includeRemoved: true }))?.tenantId ?? '(no tenant)';
  };
}

/** Creates a connection for `tenantId` with klink's signing secret, sealed with DATA_ENCRYPTION_KEY. */
export async function addConnection(
  store: Store,
  key: Buffer,
  input: { tenantId: string; name: string; secret: string },
  now: number,
): Promise<{ id: string }> {
  const id = `k${randomBytes(9).toString('base64url')}`;
  await store.tenants.addConnection({
    id,
    tenantId: input.tenantId,
    name: input.name,
    secretEncrypted: seal(key, input.secret, sealContext(id)),
    createdAt: now,
  });
  return { id };
}

/** Binds a sealed secret to its connection: it cannot be moved to another row. */
function sealContext(id: string): string {
  return `klink-connection:${id}`;
}

/** Binds a sealed API token to its connection (and tells it from the signing secret): it cannot be moved. */
function apiTokenContext(id: string): string {
  return `klink-connection-api-token:${id}`;
}

/** Seals a connection's klink API token with DATA_ENCRYPTION_KEY, bound to the connection. */
export function sealApiToken(key: Buffer, connectionId: string, token: string): string {
  return seal(key, token, apiTokenContext(connectionId));
}

/** Opens what sealApiToken sealed for this connection; throws when the key differs or it was moved or altered. */
export function openApiToken(key: Buffer, connectionId: string, sealed: string): string {
  return open(key, sealed, apiTokenContext(connectionId));
}
