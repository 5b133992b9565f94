/** Tenant consents and klink connections in SQLite. */
import { CONNECTION_COLUMNS, CONSENT_COLUMNS, type ConnectionRow, type ConsentRow, toConnection, toConsent } from '../rows';
import type { KlinkConnection, NewKlinkConnection, ReplySetting, TenantConsent, TenantStore } from '../tenants';
import { deactivate } from './conversations';
import type { SqliteDb } from './database';

export class SqliteTenants implements TenantStore {
  constructor(private readonly db: SqliteDb) {}

  async recordConsent(c: TenantConsent): Promise<void> {
    this.db
      .stmt(
        `INSERT INTO tenant_consents (tenant_id, granted_by, scopes, granted_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (tenant_id) DO UPDATE SET granted_by = excluded.granted_by, scopes = excluded.scopes,
        granted_at = excluded.granted_at, revoked_at = NULL, revoked_reason = NULL`,
      )
      .run(c.tenantId.toLowerCase(), c.grantedBy, JSON.stringify(c.scopes), c.grantedAt);
  }

  async getConsent(tenantId: string): Promise<TenantConsent | null> {
    const row = this.db
      .stmt(`SELECT ${CONSENT_COLUMNS} FROM tenant_consents WHERE tenant_id = ? AND revoked_at IS NULL`)
      .get(tenantId.toLowerCase()) as ConsentRow | undefined;
    return row ? toConsent(row) : null;
  }

  async listConsents(): Promise<TenantConsent[]> {
    return (
      this.db.stmt(`SELECT ${CONSENT_COLUMNS} FROM tenant_consents WHERE revoked_at IS NULL ORDER BY granted_at`).all() as ConsentRow[]
    ).map(toConsent);
  }

  async revokeTenant(tenantId: string, reason: string, now: number): Promise<number> {
    const tenant = tenantId.toLowerCase();
    return this.db.transaction(() => {
      this.db
        .stmt('UPDATE tenant_consents SET revoked_at = ?, revoked_reason = ? WHERE tenant_id = ? AND revoked_at IS NULL')
        .run(now, reason, tenant);
      const ids = (
        this.db.stmt('SELECT id FROM conversations WHERE lower(tenant_id) = ? AND active = 1').all(tenant) as Array<{ id: string }>
      ).map((r) => r.id);
      for (const id of ids) deactivate(this.db, id, reason, now);
      return ids.length;
    });
  }

  async useConsentState(nonce: string, expiresAt: number, now: number): Promise<boolean> {
    return this.db.transaction(() => {
      this.db.stmt('DELETE FROM consent_states WHERE expires_at <= ?').run(now);
      return (
        this.db.stmt('INSERT INTO consent_states (nonce, expires_at) VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING').run(nonce, expiresAt)
          .changes > 0
      );
    });
  }

  async addConnection(c: NewKlinkConnection): Promise<void> {
    this.db
      .stmt('INSERT INTO klink_connections (id, tenant_id, name, secret_encrypted, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(c.id, c.tenantId.toLowerCase(), c.name, c.secretEncrypted, c.createdAt);
  }

  async getConnection(id: string, options: { includeRemoved?: boolean } = {}): Promise<KlinkConnection | null> {
    const row = this.db
      .stmt(`SELECT ${CONNECTION_COLUMNS} FROM klink_connections WHERE id = ? ${options.includeRemoved ? '' : 'AND removed_at IS NULL'}`)
      .get(id) as ConnectionRow | undefined;
    return row ? toConnection(row) : null;
  }

  async listConnections(): Promise<KlinkConnection[]> {
    return (
      this.db
        .stmt(`SELECT ${CONNECTION_COLUMNS} FROM klink_connections WHERE removed_at IS NULL ORDER BY created_at`)
        .all() as ConnectionRow[]
    ).map(toConnection);
  }

  async removeConnection(id: string, now: number): Promise<boolean> {
    return this.db.stmt('UPDATE klink_connections SET removed_at = ? WHERE id = ? AND removed_at IS NULL').run(now, id).changes > 0;
  }

  async setConnectionApiToken(id: string, apiTokenEncrypted: string | null): Promise<boolean> {
    return (
      this.db.stmt('UPDATE klink_connections SET api_token_encrypted = ? WHERE id = ? AND removed_at IS NULL').run(apiTokenEncrypted, id)
        .changes > 0
    );
  }

  async setConnectionReply(id: string, reply: ReplySetting | null): Promise<boolean> {
    return this.db.stmt('UPDATE klink_connections SET reply = ? WHERE id = ? AND removed_at IS NULL').run(reply, id).changes > 0;
  }
}
