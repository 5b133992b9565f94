/** Tenant consents and klink connections in PostgreSQL. */
import { CONNECTION_COLUMNS, CONSENT_COLUMNS, type ConnectionRow, type ConsentRow, toConnection, toConsent } from '../rows';
import type { KlinkConnection, NewKlinkConnection, ReplySetting, TenantConsent, TenantStore } from '../tenants';
import { deactivate } from './conversations';
import type { PgDb } from './db';

export class PgTenants implements TenantStore {
  constructor(private readonly db: PgDb) {}

  async recordConsent(c: TenantConsent): Promise<void> {
    await this.db.run(
      `INSERT INTO tenant_consents (tenant_id, granted_by, scopes, granted_at) VALUES ($1, $2, $3, $4)
      ON CONFLICT (tenant_id) DO UPDATE SET granted_by = excluded.granted_by, scopes = excluded.scopes,
        granted_at = excluded.granted_at, revoked_at = NULL, revoked_reason = NULL`,
      [c.tenantId.toLowerCase(), c.grantedBy, JSON.stringify(c.scopes), c.grantedAt],
    );
  }

  async getConsent(tenantId: string): Promise<TenantConsent | null> {
    const row = await this.db.row<ConsentRow>(
      `SELECT ${CONSENT_COLUMNS} FROM tenant_consents WHERE tenant_id = $1 AND revoked_at IS NULL`,
      [tenantId.toLowerCase()],
    );
    return row ? toConsent(row) : null;
  }

  async listConsents(): Promise<TenantConsent[]> {
    return (
      await this.db.rows<ConsentRow>(`SELECT ${CONSENT_COLUMNS} FROM tenant_consents WHERE revoked_at IS NULL ORDER BY granted_at`)
    ).map(toConsent);
  }

  async revokeTenant(tenantId: string, reason: string, now: number): Promise<number> {
    const tenant = tenantId.toLowerCase();
    return this.db.transaction(async (tx) => {
      await tx.run('UPDATE tenant_consents SET revoked_at = $1, revoked_reason = $2 WHERE tenant_id = $3 AND revoked_at IS NULL', [
        now,
        reason,
        tenant,
      ]);
      const ids = (
        await tx.rows<{ id: string }>('SELECT id FROM conversations WHERE lower(tenant_id) = $1 AND active FOR UPDATE', [tenant])
      ).map((r) => r.id);
      await deactivate(tx, ids, reason, now);
      return ids.length;
    });
  }

  async useConsentState(nonce: string, expiresAt: number, now: number): Promise<boolean> {
    await this.db.run('DELETE FROM consent_states WHERE expires_at <= $1', [now]);
    return (
      (await this.db.run('INSERT INTO consent_states (nonce, expires_at) VALUES ($1, $2) ON CONFLICT (nonce) DO NOTHING', [
        nonce,
        expiresAt,
      ])) > 0
    );
  }

  async addConnection(c: NewKlinkConnection): Promise<void> {
    await this.db.run('INSERT INTO klink_connections (id, tenant_id, name, secret_encrypted, created_at) VALUES ($1, $2, $3, $4, $5)', [
      c.id,
      c.tenantId.toLowerCase(),
      c.name,
      c.secretEncrypted,
      c.createdAt,
    ]);
  }

  async getConnection(id: string, options: { includeRemoved?: boolean } = {}): Promise<KlinkConnection | null> {
    const row = await this.db.row<ConnectionRow>(
      `SELECT ${CONNECTION_COLUMNS} FROM klink_connections WHERE id = $1 AND ($2 OR removed_at IS NULL)`,
      [id, options.includeRemoved ?? false],
    );
    return row ? toConnection(row) : null;
  }

  async listConnections(): Promise<KlinkConnection[]> {
    return (
      await this.db.rows<ConnectionRow>(`SELECT ${CONNECTION_COLUMNS} FROM klink_connections WHERE removed_at IS NULL ORDER BY created_at`)
    ).map(toConnection);
  }

  async removeConnection(id: string, now: number): Promise<boolean> {
    return (await this.db.run('UPDATE klink_connections SET removed_at = $1 WHERE id = $2 AND removed_at IS NULL', [now, id])) > 0;
  }

  async setConnectionApiToken(id: string, apiTokenEncrypted: string | null): Promise<boolean> {
    return (
      (await this.db.run('UPDATE klink_connections SET api_token_encrypted = $1 WHERE id = $2 AND removed_at IS NULL', [
        apiTokenEncrypted,
        id,
      ])) > 0
    );
  }

  async setConnectionReply(id: string, reply: ReplySetting | null): Promise<boolean> {
    return (await this.db.run('UPDATE klink_connections SET reply = $1 WHERE id = $2 AND removed_at IS NULL', [reply, id])) > 0;
  }
}
