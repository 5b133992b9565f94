/**
 * A Teams client for browser tests of the klink tab: a host page on its own loopback origin that
 * embeds the tab's URL in an iframe and answers teams-js 2.58's postMessage protocol the way the
 * Teams web client does (initialize, getContext, getAuthToken, app initialization notices,
 * pages.config validity/settings/save, theme changes). Everything the tab did is recorded in Node
 * and can be awaited with a bound; nothing sleeps.
 *
 *   import { launchChromium, newLoopbackContext } from '../support/browser';
 *   import { screenshot } from '../support/screenshot';
 *   import { openTeamsHost } from '../support/teams-host';
 *
 *   const browser = await launchChromium();
 *   const { context, blocked } = await newLoopbackContext(browser, { viewport: { width: 1100, height: 700 } });
 *   const host = await openTeamsHost(context, {
 *     tabUrl: `${bot}/tab/config.html`,
 *     context: { frameContext: 'settings', team, channel: { id: CHANNEL }, user: { id: OID, tenantId: TID } },
 *     token: { token: entra.mintUserToken({ tenant: TID, audience: AUD, oid: OID }) },
 *   });
 *   await host.waitForInitialized();
 *   await host.tab.getByRole('button', { name: 'Add' }).click();   // the tab's own DOM
 *   await host.waitForValidity(true);
 *   const outcome = await host.save();                           // Teams' Save button
 *   assert.deepEqual(outcome, { ok: true, settings: { entityId: ..., contentUrl: ... } });
 *   await host.setTheme('dark');
 *   await host.tab.getByText('…').waitFor({ timeout: 5000 });  // the page redrew in dark
 *   await screenshot(host.tabElement, path.join(outDir, 'tab-dark.png')); // or (host.page, file, { fullPage: true })
 *   host.setToken({ error: 'resourceRequiresConsent' });
 *   assert.equal(host.tokenCalls.length, 2);
 *   await host.close();
 *
 * What a tab page must do to be accepted here. teams-js drops every message whose origin it does
 * not trust: its built-in Microsoft origins (https only), origins in a list it fetches from a
 * Microsoft CDN at load (blocked in tests: the fetch fails at once and it falls back to the
 * built-in list), the page's own origin, and the origins the page passes to `app.initialize`
 * (compared as `protocol://host:port`, exactly; http allowed). The host page's origin is
 * `http://127.0.0.1:<port>`, not the tab's, so the page must call
 *
 *   app.initialize(trusted)   with trusted = [location.ancestorOrigins[0]]
 *
 * when its own origin is loopback (http(s) to 127.0.0.1, localhost or [::1]: local development
 * and tests) and that parent origin is loopback too, and `app.initialize()` with no origins when
 * served from a public https host (Teams' own origins are built in). `isLoopbackUrl` in
 * test/support/loopback-url.ts is that test; teams-js 2.58's `app.getImmediateParentOrigin()`
 * returns the same parent origin (and falls back to `document.referrer` where a browser has no
 * `ancestorOrigins`). `waitForInitialized()` fails with this explanation when the page did not
 * trust the host. Then, as in Teams: a configuration page (frameContext `settings`) calls
 * `pages.config.setValidityState(true)` to enable Save and `pages.config.setConfig(...)` in its
 * `registerOnSaveHandler` handler before `notifySuccess()`; the runtime advertises `app`,
 * `authentication`, `pages` (appButton, backStack, config, tabs), `teams`, `teamsCore`.
 * The tab's server must let the host frame it: no `X-Frame-Options`, and a CSP `frame-ancestors`
 * that allows `http://127.0.0.1:*` (loopback only in local mode; Teams' hosts in production).
 *
 * Tokens: teams-js 2.58's `getAuthToken({ resources, claims, silent, tenantId })` has no "force
 * refresh"; each call is recorded in `tokenCalls` with those arguments (a tab that asks again for a
 * fresh token shows up as another call, with whatever `silent` it passed) and gets the current
 * `setToken` answer. Real Teams returns its cached token until it expires.
 *
 * Calls the host does not know are answered with teams-js's "not supported on platform" SdkError
 * (`{ errorCode: 100 }`) and listed in `unsupportedCalls`; a test can teach it an answer with
 * `host.answer(func, args => answerArgs)`.
 */
import type { BrowserContext, FrameLocator, Locator, Page } from 'playwright-core';
import type { TeamsHostContext, TeamsTheme } from './context';
import { PUSH_FUNCTION, RECEIVE_BINDING, startHostServer, type HostServer } from './host-page';
import {
  HostSession,
  type CustomAnswer,
  type InitializeCall,
  type RecordedCall,
  type SaveOutcome,
  type TabSettings,
  type TokenAnswer,
  type TokenCall,
} from './host-session';
import { parseRequest } from './protocol';
import type { RuntimeCapabilities } from './runtime-config';

export type { TeamsHostContext, TeamsTheme, FrameContext } from './context';
export type { InitializeCall, RecordedCall, SaveOutcome, TabSettings, TokenAnswer, TokenCall } from './host-session';

export interface OpenTeamsHostOptions {
  /** The tab page to embed (for the bot: `<bot origin>/tab/…`). */
  tabUrl: string;
  /** Who, where, which frame and theme (defaults: content frame, light theme, a test user). */
  context?: TeamsHostContext;
  /** The answer to `authentication.getAuthToken` until `setToken` changes it; default a failure. */
  token?: TokenAnswer;
  /** Runtime capabilities to add or replace (runtime-config.ts has the defaults). */
  capabilities?: RuntimeCapabilities;
  /** Settings the tab already has, for a content page's `pages.getConfig()`. */
  settings?: TabSettings;
  /** The host's title bar (e.g. "Contoso › General"). */
  title?: string;
  /** Bound of every wait of this host, default 5000 ms. */
  timeoutMs?: number;
}

/** Opens the host page with `options.tabUrl` in it, in a new page of `context`. */
export async function openTeamsHost(context: BrowserContext, options: OpenTeamsHostOptions): Promise<TeamsHost> {
  const server = await startHostServer();
  const page = await context.newPage();
  const host = new TeamsHost(page, server, options);
  await page.exposeBinding(RECEIVE_BINDING, (source, data: unknown) => {
    // Only the host page's own script speaks for Teams; the tab's frame sees the binding too.
    if (source.frame !== page.mainFrame()) return null;
    const request = parseRequest(data);
    return request ? host.session.receive(request) : null;
  });
  try {
    await page.goto(server.pageUrl(options.tabUrl, { title: options.title, theme: options.context?.theme }));
  } catch (error) {
    await host.close();
    throw error;
  }
  return host;
}

export class TeamsHost {
  readonly session: HostSession;
  /** The tab's DOM, for locators (auto-waiting). */
  readonly tab: FrameLocator;
  /** The tab's iframe element in the host page, for screenshots of the tab alone. */
  readonly tabElement: Locator;
  private readonly timeoutMs: number;

  constructor(
    /** The host page (the "Teams window"): screenshots, `evaluate`. */
    readonly page: Page,
    private readonly server: HostServer,
    private readonly options: OpenTeamsHostOptions,
  ) {
    this.session = new HostSession({ ...options, context: options.context ?? {} });
    this.tab = page.frameLocator('#tab');
    this.tabElement = page.locator('#tab');
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  /** The host page's origin, which the tab must trust. */
  get origin(): string {
    return this.server.origin;
  }

  get calls(): RecordedCall[] {
    return this.session.calls;
  }
  get unsupportedCalls(): RecordedCall[] {
    return this.session.unsupportedCalls;
  }
  get tokenCalls(): TokenCall[] {
    return this.session.tokenCalls;
  }
  get validityState(): boolean | null {
    return this.session.validityState;
  }
  get settings(): TabSettings | null {
    return this.session.settings;
  }
  get appInitialization(): HostSession['appInitialization'] {
    return this.session.appInitialization;
  }
  get registeredHandlers(): string[] {
    return this.session.registeredHandlers;
  }
  get deepLinks(): string[] {
    return this.session.deepLinks;
  }

  /** Waits for `app.initialize` and checks the page trusted the host (else teams-js ignores every answer). */
  async waitForInitialized(): Promise<InitializeCall> {
    const call = await this.session.waitUntil(() => this.session.initialize, 'the tab to call app.initialize', this.timeoutMs);
    const tabOrigin = new URL(this.options.tabUrl).origin;
    if (tabOrigin !== this.origin && !call.validMessageOrigins.includes(this.origin)) {
      throw new Error(
        `the tab called app.initialize(${JSON.stringify(call.validMessageOrigins)}) without the host's origin ${this.origin}: ` +
          'teams-js will ignore every answer. A tab served from a loopback origin must pass ' +
          '[location.ancestorOrigins[0]] when that is loopback too (see test/support/teams-host/index.ts).',
      );
    }
    return call;
  }

  /** Waits until the tab has called `func` at least `count` times; resolves with those calls. */
  waitForCall(func: string, count = 1): Promise<RecordedCall[]> {
    return this.session.waitUntil(
      () => {
        const calls = this.calls.filter((call) => call.func === func);
        return calls.length >= count && calls;
      },
      `${count} call(s) of ${func}`,
      this.timeoutMs,
    );
  }

  /** Waits until the configuration page has set its validity state to `valid`. */
  async waitForValidity(valid = true): Promise<void> {
    await this.session.waitUntil(() => this.session.validityState === valid, `pages.config.setValidityState(${valid})`, this.timeoutMs);
  }

  /** Waits until the page has called `pages.config.setConfig`; resolves with the settings. */
  waitForSettings(): Promise<TabSettings> {
    return this.session.waitUntil(() => this.session.settings, 'pages.config.setConfig', this.timeoutMs);
  }

  /** Presses Teams' Save: refused while the page has not set validity true; resolves with the page's verdict. */
  async save(): Promise<SaveOutcome> {
    if (this.session.validityState !== true) {
      throw new Error('Save is disabled: the configuration page has not called pages.config.setValidityState(true)');
    }
    const index = this.session.saveOutcomes.length;
    await this.push('settings.save', [{}]);
    return this.session.waitUntil(
      () => this.session.saveOutcomes[index],
      "the page's notifySuccess or notifyFailure after Save",
      this.timeoutMs,
    );
  }

  /** Switches Teams' theme: later contexts carry it and the page gets `themeChange`. */
  async setTheme(theme: TeamsTheme): Promise<void> {
    this.session.setTheme(theme);
    await this.push('themeChange', [theme]);
  }

  /** Changes what later `getAuthToken` calls get. */
  setToken(answer: TokenAnswer): void {
    this.session.token = answer;
  }

  /** Answers `func` (one the host does not know, or replaces its answer) with `answer(args)`. */
  answer(func: string, answer: CustomAnswer): void {
    this.session.customAnswers.set(func, answer);
  }

  async close(): Promise<void> {
    await this.page.close();
    await this.server.close();
  }

  private async push(func: string, args: unknown[]): Promise<void> {
    await this.page.evaluate(
      ({ name, func, args }) => {
        (globalThis as unknown as Record<string, (func: string, args: unknown[]) => void>)[name](func, args);
      },
      { name: PUSH_FUNCTION, func, args },
    );
  }
}
