/**
 * The klink tab's API (`/api/tab/…`, docs/tab-api.md): every route needs a Teams SSO token
 * (src/http/tab-auth.ts), conversation routes also membership (src/http/tab/guard.ts); failures
 * are problem+json. The routes use the same store as the `@klink` commands, so a change in one
 * shows in the other at once.
 */
import type { Server } from 'restify';
import { registerConversationRoute } from './conversation';
import { registerDeliveryRoutes } from './deliveries';
import type { TabDeps } from './deps';
import { registerFiltersCheckRoute } from './filters-check';
import { registerMeRoute } from './me';
import { registerMutedRoomRoutes } from './muted-rooms';
import { registerSubscriptionRoutes } from './subscriptions';
import { registerVocabularyRoute } from './vocabulary';

export function registerTabRoutes(server: Server, deps: TabDeps): void {
  registerVocabularyRoute(server, deps);
  registerMeRoute(server, deps);
  registerConversationRoute(server, deps);
  registerSubscriptionRoutes(server, deps);
  registerFiltersCheckRoute(server, deps);
  registerMutedRoomRoutes(server, deps);
  registerDeliveryRoutes(server, deps);
}
