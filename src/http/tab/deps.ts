/** What the klink tab's API routes are built from: the store, sign-in, membership, settings, logs, metrics, clock. */
import type { MembershipCheck } from '../../auth/membership';
import type { TabUser } from '../../auth/tab-token';
import type { TenantPolicy } from '../../auth/tenant-policy';
import type { CardSettings } from '../../delivery/delivery-card';
import type { Logger } from '../../log';
import type { Metrics } from '../../metrics';
import type { Conversation, Store } from '../../store/store';
import type { TabTokens } from '../tab-auth';

export interface TabDeps {
  store: Pick<Store, 'conversations' | 'deliveries'>;
  /** Null in local mode: every caller is the development identity. */
  tokens: TabTokens | null;
  tenants: Pick<TenantPolicy, 'consentUrl'>;
  membership: Pick<MembershipCheck, 'isMember'>;
  /** VIP tags and the "Open in klink" link template, as the bot's cards use them. */
  settings: CardSettings;
  /** The app's id (BOT_ID, the manifest's id) for deep links to the tab; null in local mode. */
  appId: string | null;
  metrics: Pick<Metrics, 'tabRequests'>;
  log: Logger;
  now: () => number;
}

/** A request of a signed-in member, in one of their conversations. */
export interface MemberContext {
  user: TabUser;
  conversation: Conversation;
}
