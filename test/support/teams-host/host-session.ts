/**
 * What the Teams web client does with a tab's teams-js requests, and what it remembers of them:
 * one session per opened tab. It answers each request the way Teams answers it (see
 * host-answers.ts), records every call, and lets a test wait, bounded, for any of it to happen.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { WaitTimeoutError } from '../wait';
import type { TeamsHostContext, TeamsTheme } from './context';
import { answerRequest } from './host-answers';
import { NOT_SUPPORTED_ON_PLATFORM, type HostAnswer, type TeamsRequest } from './protocol';
import type { RuntimeCapabilities } from './runtime-config';

/** How the host answers `authentication.getAuthToken`: a token, or a failure with Teams' reason. */
export type TokenAnswer = { token: string } | { error: string };

/** What `pages.config.setConfig` (`settings.setSettings` on the wire) gave the host. */
export interface TabSettings {
  entityId?: string;
  contentUrl?: string;
  suggestedDisplayName?: string;
  websiteUrl?: string;
  removeUrl?: string;
}

/** One request of the tab; `supported` is false when the host answered it as not supported. */
export interface RecordedCall {
  func: string;
  args: unknown[];
  apiVersionTag?: string;
  supported: boolean;
}

/**
 * One `authentication.getAuthToken` call with what it asked for and what it got. teams-js 2.58 has
 * no "force refresh" flag: asking again is the only way a tab can ask for a fresh token, and Teams
 * hands out its cached token until that expires.
 */
export interface TokenCall {
  resources: unknown;
  claims: unknown;
  silent: unknown;
  tenantId: unknown;
  answer: TokenAnswer;
}

/** How a host-triggered Save ended: the page's `notifySuccess` (with the settings then saved) or `notifyFailure`. */
export type SaveOutcome = { ok: true; settings: TabSettings | null } | { ok: false; reason: string | null };

/** The `initialize` request: teams-js's version and the origins the page told it to trust. */
export interface InitializeCall {
  sdkVersion: string;
  validMessageOrigins: string[];
}

export interface HostSessionOptions {
  context: TeamsHostContext;
  token?: TokenAnswer;
  /** Runtime capabilities added to (or replacing) the defaults. */
  capabilities?: RuntimeCapabilities;
  /** Settings the tab already has (what `pages.getConfig()` answers before any save). */
  settings?: TabSettings;
  /** Default: the version teams-js reported in `initialize`. */
  clientSupportedSDKVersion?: string;
}

/** A test's own answer to a request the host does not know: the answer's `args`. */
export type CustomAnswer = (args: unknown[]) => unknown[];

export class HostSession extends EventEmitter {
  readonly calls: RecordedCall[] = [];
  readonly tokenCalls: TokenCall[] = [];
  readonly saveOutcomes: SaveOutcome[] = [];
  /** Handlers the page registered with the host (`themeChange`, `save`, `load`, …). */
  readonly registeredHandlers: string[] = [];
  /** Links the page asked Teams to open (`app.openLink` and other deep links). */
  readonly deepLinks: string[] = [];
  readonly appInitialization: {
    appLoaded: boolean;
    success: boolean;
    failure: { reason: unknown; message: unknown } | null;
    expectedFailure: { reason: unknown; message: unknown } | null;
  } = { appLoaded: false, success: false, failure: null, expectedFailure: null };
  readonly customAnswers = new Map<string, CustomAnswer>();
  readonly sessionId = randomUUID();
  initialize: InitializeCall | null = null;
  validityState: boolean | null = null;
  settings: TabSettings | null;
  context: TeamsHostContext;
  token: TokenAnswer;

  constructor(readonly options: HostSessionOptions) {
    super();
    this.context = { ...options.context };
    this.token = options.token ?? { error: 'The test gave the Teams host no token to hand out' };
    this.settings = options.settings ?? null;
  }

  /** Answers one request of the tab (null: Teams sends nothing back) and records it. */
  receive(request: TeamsRequest): HostAnswer | null {
    const custom = this.customAnswers.get(request.func);
    const answer = custom ? { args: custom(request.args) } : answerRequest(this, request);
    this.calls.push({
      func: request.func,
      args: request.args,
      apiVersionTag: request.apiVersionTag,
      supported: answer !== 'unsupported',
    });
    this.emit('change');
    return answer === 'unsupported' ? unsupportedAnswer(request.func) : answer;
  }

  /** Calls the host answered as not supported. */
  get unsupportedCalls(): RecordedCall[] {
    return this.calls.filter((call) => !call.supported);
  }

  setTheme(theme: TeamsTheme): void {
    this.context = { ...this.context, theme };
    this.emit('change');
  }

  /** Resolves with the first value of `probe` that is not undefined, null or false, probing after each change. */
  waitUntil<T>(probe: () => T | undefined | null | false, what: string, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onChange = (): void => {
        const value = probe();
        if (value === undefined || value === null || value === false) return;
        clearTimeout(timer);
        this.off('change', onChange);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.off('change', onChange);
        reject(new WaitTimeoutError(`${what} (the tab called: ${this.calls.map((call) => call.func).join(', ') || 'nothing'})`, timeoutMs));
      }, timeoutMs);
      this.on('change', onChange);
      onChange();
    });
  }
}

function unsupportedAnswer(func: string): HostAnswer {
  return { args: [{ errorCode: NOT_SUPPORTED_ON_PLATFORM, message: `${func} is not supported by the Teams test host` }] };
}
