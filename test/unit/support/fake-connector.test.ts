import assert from 'node:assert/strict';
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConversationParameters,
  type ConversationReference,
  type TurnContext,
} from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import { ADAPTIVE_CARD_CONTENT_TYPE, connectorErrors, startFakeConnector, type FakeConnector } from '../../support/fake-connector';
import { WaitTimeoutError } from '../../support/wait';

const CHANNEL = '19:abc@thread.tacv2';
const THREAD = `${CHANNEL};messageid=123`;
const CARD = { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'VIP message' }] };

/** The errors botbuilder's ConnectorClient throws (@azure/core-rest-pipeline RestError). */
interface RestErrorLike {
  name: string;
  statusCode?: number;
  code?: string;
  details?: unknown;
  response?: { status: number; headers: { get(name: string): string | undefined }; parsedBody?: unknown };
}

function reference(serviceUrl: string, conversationId: string, activityId?: string): Partial<ConversationReference> {
  return {
    channelId: 'msteams',
    serviceUrl,
    activityId,
    bot: { id: 'bot-id', name: 'klink' },
    conversation: { id: conversationId, isGroup: true, conversationType: 'channel', name: '', tenantId: 'tenant-1' },
  };
}

async function rejection(promise: Promise<unknown>): Promise<RestErrorLike> {
  try {
    await promise;
  } catch (error) {
    return error as RestErrorLike;
  }
  assert.fail('expected the call to fail');
}

describe('fake connector driven by the real botbuilder CloudAdapter', () => {
  let fake: FakeConnector;
  // Anonymous (no app id). `new CloudAdapter()` alone cannot send: it has no credential factory.
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));

  beforeEach(async () => {
    fake = await startFakeConnector();
  });

  afterEach(async () => {
    await fake.close();
  });

  it('listens on 127.0.0.1 and gives a serviceUrl with a trailing slash', () => {
    assert.match(fake.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('records a proactive post to a channel, decoding the conversation id, with its card', async () => {
    let sentId: string | undefined;
    await adapter.continueConversationAsync('', reference(fake.url, CHANNEL), async (context: TurnContext) => {
      const response = await context.sendActivity({
        type: 'message',
        attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: CARD }],
      });
      sentId = response?.id;
    });

    assert.equal(fake.requests.length, 1);
    const [request] = fake.requests;
    // Without reference.activityId botbuilder invents a continuation id and sends as a *reply* to it.
    assert.equal(request.route, 'replyToActivity');
    assert.equal(request.method, 'POST');
    assert.equal(request.conversationId, CHANNEL);
    assert.equal(request.channelId, CHANNEL);
    assert.match(request.path, /^\/v3\/conversations\/19%3Aabc%40thread\.tacv2\/activities\/[0-9a-f-]{36}$/);
    assert.equal(request.response?.status, 201);
    assert.equal(sentId, request.activityId);
    assert.equal(request.headers.authorization, undefined);
    assert.deepEqual(
      fake.cards().map((c) => c.content),
      [CARD],
    );
    assert.equal(fake.activitiesTo('19:abc').length, 1);
  });

  it('accepts the serviceUrl without the trailing slash too', async () => {
    await adapter.continueConversationAsync('', reference(fake.url.replace(/\/$/, ''), CHANNEL), async (context) => {
      await context.sendActivity('hello');
    });
    assert.equal(fake.requests[0].conversationId, CHANNEL);
    assert.equal(fake.requests[0].activity?.text, 'hello');
  });

  it('creates a channel thread; the turn sees "<channel>;messageid=<root id>" as conversation and activity id', async () => {
    const parameters = {
      isGroup: true,
      channelData: { channel: { id: CHANNEL } },
      activity: { type: 'message', attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: CARD }] },
    } as ConversationParameters;
    let seen: { conversationId?: string; activityId?: string; name?: string } = {};
    await adapter.createConversationAsync('', 'msteams', fake.url, 'https://api.botframework.com', parameters, async (context) => {
      seen = { conversationId: context.activity.conversation.id, activityId: context.activity.id, name: context.activity.name };
    });

    const [request] = fake.requests;
    assert.equal(request.route, 'createConversation');
    assert.equal(request.path, '/v3/conversations');
    assert.deepEqual(request.body, parameters);
    assert.equal(request.channelId, CHANNEL);
    assert.ok(request.activityId);
    assert.deepEqual(request.response?.body, { id: `${CHANNEL};messageid=${request.activityId}`, activityId: request.activityId });
    // The response's activityId is not passed on: the root id is only in the conversation id.
    assert.deepEqual(seen, {
      conversationId: `${CHANNEL};messageid=${request.activityId}`,
      activityId: seen.conversationId,
      name: 'CreateConversation',
    });
    assert.equal(fake.cards()[0].conversationId, seen.conversationId);
  });

  it('replies in a thread and updates the reply', async () => {
    await adapter.continueConversationAsync('', reference(fake.url, THREAD, '123'), async (context) => {
      const reply = await context.sendActivity('first');
      assert.ok(reply?.id);
      await context.updateActivity({ type: 'message', id: reply.id, text: 'edited' });
      await context.deleteActivity(reply.id);
    });

    assert.deepEqual(
      fake.requests.map((r) => [r.method, r.route, r.conversationId, r.response?.status]),
      [
        ['POST', 'replyToActivity', THREAD, 201],
        ['PUT', 'updateActivity', THREAD, 200],
        ['DELETE', 'deleteActivity', THREAD, 200],
      ],
    );
    const [reply, update, remove] = fake.requests;
    // CloudAdapter ignores reference.activityId: the reply goes to a fresh continuation id; only the
    // conversation id ("…;messageid=123") says which thread it belongs to.
    assert.match(reply.path, /^\/v3\/conversations\/19%3Aabc%40thread\.tacv2%3Bmessageid%3D123\/activities\/[0-9a-f-]{36}$/);
    assert.notEqual(reply.activity?.replyToId, '123');
    assert.equal(reply.urlActivityId, reply.activity?.replyToId);
    assert.equal(reply.channelId, CHANNEL);
    assert.equal(update.activityId, reply.activityId);
    assert.equal(update.activity?.text, 'edited');
    assert.equal(remove.activityId, reply.activityId);
    assert.deepEqual(
      fake.activitiesTo(THREAD).map((r) => r.route),
      ['replyToActivity', 'updateActivity'],
    );
  });

  it('answers the members route', async () => {
    await adapter.continueConversationAsync('', reference(fake.url, CHANNEL), async (context) => {
      const client = context.turnState.get<ConnectorClient>(adapter.ConnectorClientKey);
      const members = await client.conversations.getConversationMembers(CHANNEL);
      assert.equal(members[0].id, '29:fake-user');
    });
    assert.equal(fake.requests[0].route, 'getConversationMembers');
  });

  it('surfaces an injected 429 as a RestError with statusCode 429, after botbuilder retried it 3 times', async () => {
    const fault = fake.respondWith({ ...connectorErrors.throttled(0), match: { conversationId: '19:abc*' }, times: Infinity });

    const error = await rejection(
      adapter.continueConversationAsync('', reference(fake.url, CHANNEL), async (context) => {
        await context.sendActivity('hello');
      }),
    );

    assert.equal(error.name, 'RestError');
    assert.equal(error.statusCode, 429);
    assert.equal(error.code, 'Throttled');
    assert.equal(error.response?.status, 429);
    assert.equal(error.response?.headers.get('retry-after'), '0');
    assert.deepEqual(error.response?.parsedBody, { error: { code: 'Throttled', message: 'Too many requests' } });
    // The SDK's default retry policy honours Retry-After on 429/503 (and backs off on 5xx): 4 attempts.
    assert.equal(fault.hits.length, 4);
    assert.ok(fake.requests.every((r) => r.response?.injected === true && r.response.status === 429));
  });

  it('lets botbuilder succeed when only the first attempt is throttled', async () => {
    const fault = fake.respondWith(connectorErrors.throttled(0));
    await adapter.continueConversationAsync('', reference(fake.url, CHANNEL), async (context) => {
      await context.sendActivity('hello');
    });
    assert.equal(fault.remaining(), 0);
    assert.deepEqual(
      fake.requests.map((r) => r.response?.status),
      [429, 201],
    );
  });

  it('surfaces a 403 BotNotInConversationRoster at once, with the Teams error code', async () => {
    fake.respondWith({ ...connectorErrors.botNotInRoster(), match: { route: 'createConversation', channelId: CHANNEL } });
    const parameters = {
      isGroup: true,
      channelData: { channel: { id: CHANNEL } },
      activity: { type: 'message', text: 'x' },
    } as ConversationParameters;

    const error = await rejection(
      adapter.createConversationAsync('', 'msteams', fake.url, 'https://api.botframework.com', parameters, async () => undefined),
    );

    assert.equal(error.statusCode, 403);
    assert.equal(error.code, 'BotNotInConversationRoster');
    assert.deepEqual(error.details, {
      error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' },
    });
    assert.equal(fake.requests.length, 1);
    assert.deepEqual(fake.cards(), []);
  });

  it('applies rules in order, each to its next N matching requests only', async () => {
    const notFound = fake.respondWith({ ...connectorErrors.conversationNotFound(), match: { route: 'updateActivity' } });
    const tooLarge = fake.respondWith({ ...connectorErrors.tooLarge(), match: { route: 'updateActivity' }, times: 2 });
    const statuses: Array<number | undefined> = [];
    await adapter.continueConversationAsync('', reference(fake.url, THREAD, '123'), async (context) => {
      for (let i = 0; i < 4; i += 1) {
        const error = await context.updateActivity({ type: 'message', id: '7', text: 'x' }).then(
          () => undefined,
          (e: unknown) => e as RestErrorLike,
        );
        statuses.push(error?.statusCode);
      }
    });
    assert.deepEqual(statuses, [404, 413, 413, undefined]);
    assert.equal(notFound.hits.length, 1);
    assert.equal(tooLarge.remaining(), 0);
  });

  it('delays an answer when asked to', async () => {
    fake.respondWith({ delayMs: 60 });
    const started = Date.now();
    await adapter.continueConversationAsync('', reference(fake.url, CHANNEL), async (context) => {
      await context.sendActivity('slow');
    });
    assert.ok(Date.now() - started >= 55, 'the answer should have been held back');
    assert.equal(fake.requests[0].response?.status, 201);
  });

  it('waits for requests that arrive later, and times out with a message that says what it waited for', async () => {
    const waiting = fake.waitForRequests({ route: ['sendToConversation', 'replyToActivity'] }, 2, 2000);
    await adapter.continueConversationAsync('', reference(fake.url, CHANNEL), async (context) => {
      await context.sendActivities([
        { type: 'message', text: 'a' },
        { type: 'message', text: 'b' },
      ]);
    });
    assert.deepEqual(
      (await waiting).map((r) => r.activity?.text),
      ['a', 'b'],
    );

    await assert.rejects(fake.waitForRequests({ route: 'deleteActivity' }, 1, 30), (error: unknown) => {
      assert.ok(error instanceof WaitTimeoutError);
      assert.match(error.message, /timed out after 30 ms waiting for 1 matching request/);
      return true;
    });
  });

  it('answers unknown routes with 404 and records them', async () => {
    const response = await fetch(new URL('v3/nothing/here', fake.url), { method: 'POST', body: '{}' });
    assert.equal(response.status, 404);
    assert.equal(fake.requests[0].route, 'unknown');
  });

  it('forgets requests and rules on reset', async () => {
    fake.respondWith({ ...connectorErrors.serverError(500), times: Infinity });
    await fetch(new URL('v3/conversations', fake.url), { method: 'POST', body: '{}' });
    fake.reset();
    assert.equal(fake.requests.length, 0);
    const response = await fetch(new URL('v3/conversations', fake.url), { method: 'POST', body: '{}' });
    assert.equal(response.status, 201);
  });

  it('serves under a regional base path', async () => {
    const regional = await startFakeConnector({ basePath: '/amer/' });
    try {
      assert.match(regional.url, /\/amer\/$/);
      await adapter.continueConversationAsync('', reference(regional.url, CHANNEL), async (context) => {
        await context.sendActivity('hi');
      });
      assert.equal(regional.requests[0].route, 'replyToActivity');
      assert.ok(regional.requests[0].path.startsWith('/amer/v3/conversations/'));
    } finally {
      await regional.close();
    }
  });

  it('documents that a bare `new CloudAdapter()` cannot send (no credential factory)', async () => {
    const bare = new CloudAdapter();
    await assert.rejects(
      bare.continueConversationAsync('', reference(fake.url, CHANNEL), async (context) => {
        await context.sendActivity('never');
      }),
      /createCredentials/,
    );
    assert.equal(fake.requests.length, 0);
  });
});
