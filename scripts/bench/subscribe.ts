/** Subscribing many Teams channels the way Teams does it: `@klink subscribe …` posted to /api/messages. */
import http from 'node:http';
import type { FakeConnector } from '../../test/support/fake-connector';
import { channelCommand } from '../../test/support/teams-activities';
import { waitForQuiet } from './cards-seen';

export interface BenchChannel {
  /** Teams channel id (`19:…@thread.tacv2`). */
  channelId: string;
  tenantId: string;
  /** What is typed after `@klink`, e.g. `subscribe whatsapp`. */
  command: string;
}

export interface SubscribeResult {
  channels: number;
  ms: number;
  /** When the connector received the bot's last answer (Date.now() clock). */
  lastAnswerAt: number;
  via: 'POST /api/messages (channelCommand activities)';
}

/** `tenants` × `perTenant` channels, tenant by tenant (the order in which tenants would onboard). */
export function benchChannels(tag: string, tenants: number, perTenant: number, command: (index: number) => string): BenchChannel[] {
  const channels: BenchChannel[] = [];
  for (let t = 0; t < tenants; t++) {
    const tenantId = `bench-tenant-${tag}-${String(t).padStart(2, '0')}`;
    for (let c = 0; c < perTenant; c++) {
      const index = channels.length;
      channels.push({ channelId: `19:bench-${tag}-t${t}-c${c}@thread.tacv2`, tenantId, command: command(index) });
    }
  }
  return channels;
}

/**
 * Posts one channel command per channel (`concurrency` at a time), waits until the bot has answered
 * every one at the fake connector, then forgets those answers so that only cards are counted later.
 */
export async function subscribeViaApi(
  appPorts: number[],
  connector: FakeConnector,
  all: readonly BenchChannel[],
  concurrency = 16,
  timeoutMs = 60_000,
): Promise<SubscribeResult> {
  const begin = Date.now();
  // Tenants in turn, one channel each: the bot's answers count against each tenant's 50/s, so
  // tenant after tenant would be paced to 50 answers a second.
  const channels = interleaveTenants(all);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < channels.length; i = next++) {
      if (Date.now() - begin > timeoutMs) throw new Error(`subscribing ${channels.length} channels took longer than ${timeoutMs} ms`);
      const channel = channels[i];
      const activity = channelCommand(
        { serviceUrl: connector.url, channelId: channel.channelId, tenantId: channel.tenantId },
        channel.command,
      );
      // Several instances: each takes its share, as behind a load balancer.
      const status = await postJson(agent, appPorts[i % appPorts.length], '/api/messages', JSON.stringify(activity));
      if (status !== 200) throw new Error(`POST /api/messages for ${channel.channelId} answered ${status}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, channels.length) }, worker));
  } finally {
    agent.destroy();
  }
  // Every command is answered at the connector (a reply card); wait for all answers, then for quiet.
  const remaining = Math.max(1_000, timeoutMs - (Date.now() - begin));
  await connector.waitForRequests(() => true, channels.length, remaining);
  await waitForQuiet(connector, 200, 3_000);
  const lastAnswerAt = Math.max(...connector.requests.map((r) => r.receivedAt));
  connector.reset();
  return { channels: channels.length, ms: Date.now() - begin, lastAnswerAt, via: 'POST /api/messages (channelCommand activities)' };
}

function interleaveTenants(channels: readonly BenchChannel[]): BenchChannel[] {
  const byTenant = new Map<string, BenchChannel[]>();
  for (const channel of channels) byTenant.set(channel.tenantId, [...(byTenant.get(channel.tenantId) ?? []), channel]);
  const queues = [...byTenant.values()];
  const out: BenchChannel[] = [];
  for (let i = 0; out.length < channels.length; i++) for (const queue of queues) if (i < queue.length) out.push(queue[i]);
  return out;
}

function postJson(agent: http.Agent, port: number, path: string, body: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.setTimeout(15_000, () => req.destroy(new Error(`POST ${path} got no answer within 15 s`)));
    req.on('error', reject);
    req.end(body);
  });
}
