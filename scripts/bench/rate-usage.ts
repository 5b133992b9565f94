/** How the requests recorded by the fake connector used Teams' rate limits (pure over the records). */
import type { RecordedRequest } from '../../test/support/fake-connector';
import { maxInWindowByKey } from './stats';

/** Teams limits (TEAMS-FACTS "Rate limits"): per conversation 7 / 1 s and 8 / 2 s; per tenant 50 / 1 s. */
export const LIMITS = { conversationPer1s: 7, conversationPer2s: 8, tenantPer1s: 50 } as const;

export interface RateUsage {
  requests: number;
  byRoute: Record<string, number>;
  /** Requests not answered with 2xx (by status; 0 = connection reset). */
  failed: Record<string, number>;
  maxPerConversation1s: number;
  maxPerConversation2s: number;
  maxPerTenant1s: number;
  busiestTenant: string | null;
  withinLimits: boolean;
}

/** The tenant of a request: from the channel it went to, or from the request body. */
export function tenantOf(request: RecordedRequest, tenantByChannel: ReadonlyMap<string, string>): string {
  const byChannel = request.channelId === undefined ? undefined : tenantByChannel.get(request.channelId);
  if (byChannel !== undefined) return byChannel;
  const body = typeof request.body === 'object' && request.body !== null ? (request.body as Record<string, unknown>) : {};
  if (typeof body.tenantId === 'string') return body.tenantId;
  const conversation = body.conversation as { tenantId?: unknown } | undefined;
  return typeof conversation?.tenantId === 'string' ? conversation.tenantId : 'unknown';
}

export function rateUsage(requests: readonly RecordedRequest[], tenantByChannel: ReadonlyMap<string, string>): RateUsage {
  const byRoute: Record<string, number> = {};
  const failed: Record<string, number> = {};
  for (const request of requests) {
    byRoute[request.route] = (byRoute[request.route] ?? 0) + 1;
    const status = request.response?.status;
    if (status === undefined || status < 200 || status >= 300)
      failed[String(status ?? 'pending')] = (failed[String(status ?? 'pending')] ?? 0) + 1;
  }
  const conversationKey = (r: RecordedRequest): string => r.channelId ?? r.conversationId ?? 'unknown';
  const at = (r: RecordedRequest): number => r.receivedAt;
  const perConversation1s = maxInWindowByKey(requests, conversationKey, at, 1000).max;
  const perConversation2s = maxInWindowByKey(requests, conversationKey, at, 2000).max;
  const perTenant = maxInWindowByKey(requests, (r) => tenantOf(r, tenantByChannel), at, 1000);
  return {
    requests: requests.length,
    byRoute,
    failed,
    maxPerConversation1s: perConversation1s,
    maxPerConversation2s: perConversation2s,
    maxPerTenant1s: perTenant.max,
    busiestTenant: perTenant.key,
    withinLimits:
      perConversation1s <= LIMITS.conversationPer1s && perConversation2s <= LIMITS.conversationPer2s && perTenant.max <= LIMITS.tenantPer1s,
  };
}
