/** Tenants that opted in through admin consent, and further klink connections (each of one tenant). */

/** A tenant whose admin completed admin consent. */
export interface TenantConsent {
  tenantId: string;
  grantedBy: string | null;
  scopes: string[];
  grantedAt: number;
}

/** A further klink connection (workspace webhook) and the tenant its events belong to. */
export interface KlinkConnection {
  id: string;
  tenantId: string;
  name: string;
  /** The signing secret, encrypted with DATA_ENCRYPTION_KEY (see src/auth/secret-box.ts). */
  secretEncrypted: string;
  createdAt: number;
  /** The connection's klink API token, sealed like the secret; null: none (no replies). */
  apiTokenEncrypted: string | null;
  /** The operator's reply setting for this connection; null: as KLINK_REPLY says. */
  reply: ReplySetting | null;
}

export type ReplySetting = 'on' | 'off';

export type NewKlinkConnection = Omit<KlinkConnection, 'apiTokenEncrypted' | 'reply'>;

export interface TenantStore {
  recordConsent(consent: TenantConsent): Promise<void>;
  /** The active consent of a tenant, or null. */
  getConsent(tenantId: string): Promise<TenantConsent | null>;
  listConsents(): Promise<TenantConsent[]>;
  /** Withdraws a tenant's consent and deactivates its conversations; returns how many were deactivated. */
  revokeTenant(tenantId: string, reason: string, now: number): Promise<number>;
  /**
   * Marks an admin-consent state as used: true the first time, false for one already used (a
   * replay). Kept until `expiresAt`, after which the state is refused as expired anyway; expired
   * marks are removed on the way.
   */
  useConsentState(nonce: string, expiresAt: number, now: number): Promise<boolean>;

  addConnection(connection: NewKlinkConnection): Promise<void>;
  /** A connection; removed ones only with `includeRemoved` (their events already taken still need a tenant). */
  getConnection(id: string, options?: { includeRemoved?: boolean }): Promise<KlinkConnection | null>;
  listConnections(): Promise<KlinkConnection[]>;
  removeConnection(id: string, now: number): Promise<boolean>;
  /** Sets (sealed) or removes (null) an active connection's API token; false when there is no such connection. */
  setConnectionApiToken(id: string, apiTokenEncrypted: string | null): Promise<boolean>;
  /** Sets an active connection's reply setting (null: as KLINK_REPLY says); false when there is no such connection. */
  setConnectionReply(id: string, reply: ReplySetting | null): Promise<boolean>;
}
