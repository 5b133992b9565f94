/**
 * The Teams test host, proved with a probe tab that uses teams-js 2.58 the way the klink tab does:
 * in headless Chromium, the probe on one loopback origin inside the host on another.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import type { Browser } from 'playwright-core';
import { launchChromium, newLoopbackContext, type LoopbackContext } from '../support/browser';
import { screenshot } from '../support/screenshot';
import { makeTempDir } from '../support/temp-dir';
import { openTeamsHost, type OpenTeamsHostOptions, type TeamsHost } from '../support/teams-host';
import { startProbeTab, type ProbeTab } from '../support/teams-host/probe-tab';

const USER = { id: '0b5cf1a2-33f4-4d8e-8c1e-5f0e2a9c7d11', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' };
const TEAM = { internalId: '19:team-general@thread.tacv2', groupId: 'a1b2c3d4-0000-4000-8000-00000000c0de', name: 'Support' };
const CHANNEL = { id: '19:vip-desk@thread.tacv2', name: 'VIP desk' };
const WAIT = { timeout: 5000 };

describe('browser: the Teams test host', function () {
  this.timeout(10_000);
  let browser: Browser;
  let probe: ProbeTab;
  let network: LoopbackContext;
  let host: TeamsHost | undefined;

  before(async function () {
    this.timeout(30_000);
    [browser, probe] = await Promise.all([launchChromium(), startProbeTab()]);
  });
  after(async () => {
    await browser?.close();
    await probe?.close();
  });
  beforeEach(async () => {
    network = await newLoopbackContext(browser);
  });
  afterEach(async () => {
    await host?.close();
    host = undefined;
    await network.close();
  });

  async function open(options: Omit<OpenTeamsHostOptions, 'tabUrl'>, query: Record<string, string> = {}): Promise<TeamsHost> {
    host = await openTeamsHost(network.context, { tabUrl: probe.url(query), ...options });
    return host;
  }

  /** The JSON the probe shows in element `id`. */
  async function shownJson(teams: TeamsHost, id: string): Promise<unknown> {
    return JSON.parse((await teams.tab.locator(`#${id}`).textContent()) ?? '') as unknown;
  }

  async function shown(teams: TeamsHost, id: string, text: string | RegExp): Promise<void> {
    await teams.tab.locator(`#${id}`).filter({ hasText: text }).waitFor(WAIT);
  }

  it('initializes the tab and hands it the context of a channel tab', async () => {
    const teams = await open({
      context: { frameContext: 'content', user: USER, team: TEAM, channel: CHANNEL, theme: 'dark', locale: 'de-de' },
    });

    const initialize = await teams.waitForInitialized();
    assert.deepEqual(initialize, { sdkVersion: '2.58.0', validMessageOrigins: [teams.origin] });
    await shown(teams, 'status', 'ready');
    assert.deepEqual(await shownJson(teams, 'context'), {
      frameContext: 'content',
      channelId: CHANNEL.id,
      chatId: null,
      teamGroupId: TEAM.groupId,
      userId: USER.id,
      tenantId: USER.tenantId,
      theme: 'dark',
      locale: 'de-de',
    });
    assert.equal(teams.appInitialization.success, true);
    assert.deepEqual(teams.unsupportedCalls, []);
    await assert.rejects(teams.save(), /Save is disabled/, 'a content page never enables Save');
  });

  it('tells a test why nothing works when the page does not trust the host', async () => {
    const teams = await open({}, { trust: 'none' });

    await assert.rejects(teams.waitForInitialized(), (error: Error) => {
      assert.match(error.message, /without the host's origin http:\/\/127\.0\.0\.1:\d+: teams-js will ignore every answer/);
      return true;
    });
  });

  it('hands the tab the token it is given, and a failure as a failure', async () => {
    const teams = await open({ context: { user: USER, chat: { id: '19:group-chat@thread.v2' } }, token: { token: 'token-one' } });

    await shown(teams, 'status', 'ready');
    await shown(teams, 'token', 'token-one');
    const context = (await shownJson(teams, 'context')) as { chatId: string | null };
    assert.equal(context.chatId, '19:group-chat@thread.v2');
    teams.setToken({ error: 'resourceRequiresConsent' });
    await teams.tab.getByRole('button', { name: 'Get token' }).click();
    await shown(teams, 'token-error', 'resourceRequiresConsent');
    assert.equal(await teams.tab.locator('#token').textContent(), '');
    assert.deepEqual(
      teams.tokenCalls.map((call) => call.answer),
      [{ token: 'token-one' }, { error: 'resourceRequiresConsent' }],
    );
  });

  it('round-trips the configuration page: validity, settings, Save and its verdict', async () => {
    const teams = await open({ context: { frameContext: 'settings', user: USER, team: TEAM, channel: CHANNEL } });

    await teams.waitForValidity(true);
    const outcome = await teams.save();
    const settings = {
      entityId: 'probe-entity',
      contentUrl: `${probe.origin}/index.html?view=content`,
      suggestedDisplayName: 'Probe',
      websiteUrl: `${probe.origin}/`,
    };
    assert.deepEqual(outcome, { ok: true, settings });
    assert.deepEqual(teams.settings, settings);
    assert.ok(teams.registeredHandlers.includes('save'));

    await teams.close();
    const refusing = await open({ context: { frameContext: 'settings', user: USER, channel: CHANNEL } }, { save: 'fail' });
    await refusing.waitForValidity(true);
    assert.deepEqual(await refusing.save(), { ok: false, reason: 'the probe was told to refuse' });
    assert.equal(refusing.settings, null);
  });

  it('pushes theme changes to the tab, and screenshots show them', async () => {
    const teams = await open({ context: { user: USER, channel: CHANNEL }, title: 'Support › VIP desk' });
    const { dir, remove } = makeTempDir('klink-screens-');
    try {
      await shown(teams, 'theme', 'default');
      const light = PNG.sync.read(await screenshot(teams.page, path.join(dir, 'light.png')));
      await teams.setTheme('dark');
      await shown(teams, 'theme', 'dark');
      const dark = PNG.sync.read(await screenshot(teams.page, path.join(dir, 'dark.png')));
      const tab = PNG.sync.read(await screenshot(teams.tabElement, path.join(dir, 'tab.png')));

      assert.deepEqual(pixel(light, 2, 2), [0xf5, 0xf5, 0xf5], 'the light host around the tab');
      assert.deepEqual(pixel(dark, 2, 2), [0x1f, 0x1f, 0x1f], 'the dark host around the tab');
      assert.equal(tab.width, light.width, 'the tab fills the host page');
      assert.ok(tab.height < light.height, 'below the title bar');
      assert.deepEqual(PNG.sync.read(fs.readFileSync(path.join(dir, 'dark.png'))).width, dark.width, 'written where asked');
    } finally {
      remove();
    }
    await teams.setTheme('contrast');
    await shown(teams, 'theme', 'contrast');
  });

  it('blocks and records what the tab tries to fetch beyond this machine', async () => {
    const teams = await open({ context: { user: USER } }, { reach: 'https://klink.example/api' });

    await shown(teams, 'status', 'ready');
    await teams.tab.getByRole('button', { name: 'Reach out' }).click();
    await shown(teams, 'reach-out-result', 'failed');
    const blocked = network.blocked.map(({ url, kind, frameUrl }) => ({ url, kind, fromProbe: frameUrl?.startsWith(probe.origin) }));
    assert.deepEqual(
      blocked.find((request) => request.url === 'https://klink.example/api'),
      { url: 'https://klink.example/api', kind: 'request', fromProbe: true },
    );
    // teams-js fetches Microsoft's list of valid origins as it loads; here that fails at once.
    assert.ok(blocked.some((request) => request.url.startsWith('https://res.cdn.office.net/teams-js/')));
  });

  it('answers a call it does not know as not supported, and lists it', async () => {
    const teams = await open({
      context: { user: USER },
      capabilities: { pages: { appButton: {}, backStack: {}, config: {}, tabs: {}, currentApp: {} } },
    });

    await shown(teams, 'status', 'ready');
    await teams.tab.getByRole('button', { name: 'Navigate' }).click();
    await shown(teams, 'navigate-result', /^failed/);
    assert.deepEqual(JSON.parse((await teams.tab.locator('#navigate-result').textContent())?.replace(/^failed: /, '') ?? ''), {
      errorCode: 100,
      message: 'pages.currentApp.navigateTo is not supported by the Teams test host',
    });
    assert.deepEqual(
      teams.unsupportedCalls.map((call) => call.func),
      ['pages.currentApp.navigateTo'],
    );
  });
});

function pixel(png: PNG, x: number, y: number): number[] {
  const at = (png.width * y + x) * 4;
  return [png.data[at], png.data[at + 1], png.data[at + 2]];
}
