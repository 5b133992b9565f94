/**
 * The klink tab signing in with Teams SSO, in headless Chromium inside the Teams test host, against
 * the real app outside local mode (tokens are real RS256 tokens of a local Entra; membership is
 * asked of the fake Bot Connector). A member's token shows the feed; an expired token is asked for
 * again once, and when Teams keeps handing it out the page says to sign in again, with Try again;
 * no token at all (consent missing) and a non-member each get a clear message in place.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { buildTab } from '../../scripts/build-tab';
import { type LoopbackContext, launchChromium, newLoopbackContext } from '../support/browser';
import { type TabServer, startTabServer } from '../support/tab-server';
import { STRANGER_OID, TAB_CHANNEL, useTabApi } from '../support/tab-api-harness';
import { TEAM } from '../support/teams-activities';
import { type TeamsHost, type TokenAnswer, openTeamsHost } from '../support/teams-host';
import { makeTempDir } from '../support/temp-dir';

const EMPTY = 'Nothing is posted here yet';

describe('browser: the klink tab signs in with Teams SSO', function () {
  this.timeout(30_000);
  const h = useTabApi('sqlite');
  let dir: { dir: string; remove: () => void };
  let browser: Browser;
  let tab: TabServer;
  let network: LoopbackContext;
  let host: TeamsHost | undefined;

  before(async function () {
    this.timeout(120_000);
    dir = makeTempDir('klink-tab-sso-');
    [browser] = await Promise.all([launchChromium(), buildTab(path.join(dir.dir, 'tab'))]);
  });
  after(async () => {
    await browser?.close();
    dir?.remove();
  });
  beforeEach(async () => {
    tab = await startTabServer(path.join(dir.dir, 'tab'), h.t.url);
    network = await newLoopbackContext(browser);
  });
  afterEach(async () => {
    await host?.close();
    host = undefined;
    await network.close();
    await tab.close();
  });

  async function openChannelTab(token: TokenAnswer): Promise<TeamsHost> {
    host = await openTeamsHost(network.context, {
      tabUrl: `${tab.url}/tab/content.html`,
      context: {
        frameContext: 'content',
        team: { internalId: TEAM, groupId: 'a1b2c3d4-0000-4000-8000-00000000c0de' },
        channel: { id: TAB_CHANNEL },
      },
      token,
      timeoutMs: 10_000,
    });
    await host.waitForInitialized();
    return host;
  }

  const subscriptions = (teams: TeamsHost) => teams.tab.getByRole('region', { name: 'Subscriptions' });

  it("sends a member's Teams token: the channel's feed is shown", async () => {
    await h.command('subscribe whatsapp vip');
    const teams = await openChannelTab({ token: h.userToken() });
    await subscriptions(teams).locator('[data-subscription="whatsapp vip"]').waitFor();
    assert.ok(teams.tokenCalls.length >= 1);
  });

  it('an expired token: asked for again once; still refused → "Sign in again" with Try again, which works once Teams has a good token', async () => {
    const teams = await openChannelTab({ token: h.userToken({ expiresInSeconds: -600 }) });
    await subscriptions(teams).getByText('Sign in again').waitFor();
    await subscriptions(teams)
      .getByText(/Your Teams sign-in has expired/)
      .waitFor();
    assert.equal(teams.tokenCalls.length, 2, 'one token, then one fresh token for all the calls refused together');
    teams.setToken({ token: h.userToken() });
    await subscriptions(teams).getByRole('button', { name: 'Try again' }).click();
    await subscriptions(teams).getByText(EMPTY).waitFor();
  });

  it('Teams gives no token (consent missing): says so in place', async () => {
    const teams = await openChannelTab({ error: 'resourceRequiresConsent' });
    await subscriptions(teams).getByText('Teams did not sign you in').waitFor();
    await subscriptions(teams)
      .getByText(/resourceRequiresConsent/)
      .waitFor();
  });

  it("a non-member: the server's words in place, not a blank page", async () => {
    const teams = await openChannelTab({ token: h.userToken({ oid: STRANGER_OID }) });
    await subscriptions(teams)
      .getByText(/You are not a member of this team/)
      .waitFor();
  });
});
