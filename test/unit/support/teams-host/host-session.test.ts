import assert from 'node:assert/strict';
import { HostSession } from '../../../support/teams-host/host-session';
import type { TeamsRequest } from '../../../support/teams-host/protocol';
import { WaitTimeoutError } from '../../../support/wait';

let nextId = 0;
function request(func: string, ...args: unknown[]): TeamsRequest {
  return { id: nextId++, uuidAsString: `uuid-${nextId}`, func, args, apiVersionTag: 'v2_test' };
}

describe('test/support/teams-host: the host session', () => {
  it('answers initialize as the Teams web client: frame context, client type, runtime config, SDK version', () => {
    const session = new HostSession({ context: { frameContext: 'settings' } });

    const answer = session.receive(request('initialize', '2.58.0', 4, ['http://127.0.0.1:5000']));

    assert.ok(answer);
    const [frameContext, clientType, runtime, sdkVersion] = answer.args;
    assert.deepEqual([frameContext, clientType, sdkVersion], ['settings', 'web', '2.58.0']);
    const config = JSON.parse(String(runtime)) as { apiVersion: number; supports: Record<string, unknown> };
    assert.equal(config.apiVersion, 4);
    assert.deepEqual(config.supports.pages, { appButton: {}, backStack: {}, config: {}, tabs: {} });
    assert.deepEqual(session.initialize, { sdkVersion: '2.58.0', validMessageOrigins: ['http://127.0.0.1:5000'] });
  });

  it('answers getContext with the legacy context teams-js turns into app.getContext()', () => {
    const session = new HostSession({
      context: { user: { id: 'oid-1', tenantId: 'tid-1' }, chat: { id: '19:chat@thread.v2' }, theme: 'dark', page: { id: 'entity-1' } },
    });
    session.setTheme('contrast');

    const [context] = session.receive(request('getContext'))?.args ?? [];

    assert.deepEqual(
      {
        ...(context as Record<string, unknown>),
        appSessionId: 'x',
        sessionId: 'x',
      },
      {
        frameContext: 'content',
        theme: 'contrast',
        locale: 'en-us',
        hostClientType: 'web',
        hostName: 'Teams',
        appSessionId: 'x',
        sessionId: 'x',
        userObjectId: 'oid-1',
        tid: 'tid-1',
        userPrincipalName: undefined,
        loginHint: undefined,
        userDisplayName: undefined,
        teamId: undefined,
        groupId: undefined,
        teamName: undefined,
        channelId: undefined,
        channelName: undefined,
        channelType: undefined,
        chatId: '19:chat@thread.v2',
        entityId: 'entity-1',
        subEntityId: undefined,
      },
    );
  });

  it('records app initialization notices without answering them', () => {
    const session = new HostSession({ context: {} });

    assert.equal(session.receive(request('appInitialization.appLoaded', '2.58.0')), null);
    assert.equal(session.receive(request('appInitialization.failure', 'AuthFailed', 'no token', undefined)), null);
    assert.equal(session.receive(request('appInitialization.expectedFailure', 'PermissionError', 'not a member')), null);

    assert.deepEqual(session.appInitialization, {
      appLoaded: true,
      success: false,
      failure: { reason: 'AuthFailed', message: 'no token' },
      expectedFailure: { reason: 'PermissionError', message: 'not a member' },
    });
  });

  it("answers a content page's getConfig with the settings it already has", () => {
    const settings = { entityId: 'e', contentUrl: 'http://127.0.0.1:1/tab/' };
    const session = new HostSession({ context: {}, settings });

    assert.deepEqual(session.receive(request('settings.getSettings'))?.args, [settings]);
  });

  it('answers calls it does not know as not supported, lists them, and lets a test teach it an answer', () => {
    const session = new HostSession({ context: {} });

    assert.deepEqual(session.receive(request('people.selectPeople'))?.args, [
      { errorCode: 100, message: 'people.selectPeople is not supported by the Teams test host' },
    ]);
    assert.equal(session.receive(request('constructor'))?.args.length, 1, 'no property of a plain object counts as known');
    session.customAnswers.set('people.selectPeople', () => [undefined, []]);
    assert.deepEqual(session.receive(request('people.selectPeople'))?.args, [undefined, []]);

    assert.deepEqual(
      session.unsupportedCalls.map((call) => call.func),
      ['people.selectPeople', 'constructor'],
    );
  });

  it('gives up waiting after the bound, naming what it waited for and what the tab called', async () => {
    const session = new HostSession({ context: {} });
    session.receive(request('getContext'));

    await assert.rejects(
      session.waitUntil(() => session.initialize, 'app.initialize', 20),
      (error: unknown) => {
        assert.ok(error instanceof WaitTimeoutError);
        assert.equal(error.message, 'timed out after 20 ms waiting for app.initialize (the tab called: getContext)');
        return true;
      },
    );
  });
});
