/** Checks over what the fake Bot Connector recorded: Teams' windows, and one sender per conversation at a time. */
import assert from 'node:assert/strict';
import { CONVERSATION_WINDOWS, TENANT_WINDOWS } from '../../src/store/budget';
import type { RecordedRequest } from './fake-connector';
import { maxInWindow } from './rate-windows';

/** The requests that post, reply or update (what delivery sends), by channel. */
export function deliveryRequestsByChannel(requests: readonly RecordedRequest[]): Map<string, RecordedRequest[]> {
  const byChannel = new Map<string, RecordedRequest[]>();
  for (const r of requests) {
    if (!['createConversation', 'sendToConversation', 'updateActivity', 'replyToActivity'].includes(r.route) || !r.channelId) continue;
    const list = byChannel.get(r.channelId) ?? [];
    list.push(r);
    byChannel.set(r.channelId, list);
  }
  return byChannel;
}

/** Every conversation within 7/1 s, 8/2 s, 60/30 s, 1,800/h and every tenant within 50/s, on the connector's clock. */
export function assertWithinTeamsLimits(requests: readonly RecordedRequest[], tenantOf: (channelId: string) => string): void {
  const byTenant = new Map<string, number[]>();
  for (const [channelId, list] of deliveryRequestsByChannel(requests)) {
    const times = list.map((r) => r.receivedAt);
    for (const { limit, ms } of CONVERSATION_WINDOWS) {
      assert.ok(maxInWindow(times, ms) <= limit, `${channelId}: ${maxInWindow(times, ms)} requests in ${ms} ms (limit ${limit})`);
    }
    const tenant = tenantOf(channelId);
    byTenant.set(tenant, [...(byTenant.get(tenant) ?? []), ...times]);
  }
  for (const [tenant, times] of byTenant) {
    for (const { limit, ms } of TENANT_WINDOWS) {
      assert.ok(maxInWindow(times, ms) <= limit, `tenant ${tenant}: ${maxInWindow(times, ms)} requests in ${ms} ms (limit ${limit})`);
    }
  }
}

/** No conversation had two requests in flight at once: nobody sent to it while another sender waited for Teams. */
export function assertOneSenderAtATime(requests: readonly RecordedRequest[]): void {
  for (const [channelId, list] of deliveryRequestsByChannel(requests)) {
    const sorted = [...list].sort((a, b) => a.receivedAt - b.receivedAt || a.seq - b.seq);
    for (let i = 1; i < sorted.length; i++) {
      const previous = sorted[i - 1].response?.sentAt ?? Infinity;
      assert.ok(
        sorted[i].receivedAt >= previous,
        `${channelId}: request ${sorted[i].seq} arrived at ${sorted[i].receivedAt}, before request ${sorted[i - 1].seq} was answered (${previous})`,
      );
    }
  }
}
