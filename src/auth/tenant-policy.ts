/**
 * Which Entra tenants the bot acts in: its home tenant, ALLOWED_TENANTS, and tenants whose admin
 * completed admin consent. Local mode (the Agents Playground) allows every tenant.
 */
import type { Config } from '../config';
import type { Store } from '../store/store';

export class TenantPolicy {
  constructor(
    private readonly config: Readonly<Config>,
    private readonly store: Store,
  ) {}

  async allows(tenantId: string | null): Promise<boolean> {
    if (this.config.localMode) return true;
    if (tenantId === null) return false;
    const tenant = tenantId.toLowerCase();
    if (tenant === this.config.bot.tenantId?.toLowerCase()) return true;
    if (this.config.allowedTenants.includes(tenant)) return true;
    return (await this.store.tenants.getConsent(tenant)) !== null;
  }

  /**
   * Where an admin of `tenantId` grants consent, or null when consent is not configured.
   * `requestedBy` (the Teams user who met the gate) is shown to the admin, marked unverified.
   */
  consentUrl(tenantId: string | null, requestedBy: string | null): string | null {
    if (this.config.publicUrl === null) return null;
    const query = new URLSearchParams();
    if (tenantId) query.set('tenant', tenantId);
    if (requestedBy) query.set('requestedBy', requestedBy.slice(0, 100));
    const text = query.toString();
    return `${this.config.publicUrl}/admin/consent${text ? `?${text}` : ''}`;
  }
}
