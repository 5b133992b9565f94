/**
 * The Teams web client's answer to each teams-js 2.58 request a klink tab makes, with the
 * argument order teams-js unpacks (read in its dist bundle):
 *
 * | func | args in | answer args |
 * |---|---|---|
 * | `initialize` | version, runtime API version, validMessageOrigins | frameContext, hostClientType, runtime config (JSON), clientSupportedSDKVersion |
 * | `getContext` | — | legacy context (context.ts) |
 * | `authentication.getAuthToken` | resources, claims, silent, tenantId | `true, token` or `false, reason` |
 * | `settings.setSettings` (pages.config.setConfig) | settings | `true` |
 * | `settings.getSettings` (pages.getConfig) | — | settings |
 * | `executeDeepLink` (app.openLink) | link | `true` |
 * | `appInitialization.success` | version | nothing (an empty answer, for hosts that confirm it) |
 *
 * Fire-and-forget (no answer): `appInitialization.appLoaded` / `failure` / `expectedFailure`,
 * `registerHandler`, `settings.setValidityState`, `settings.save.success` / `failure`.
 * Anything else is 'unsupported': the session answers it with an SdkError.
 */
import { runtimeConfig } from './runtime-config';
import { legacyContext } from './context';
import type { HostAnswer, TeamsRequest } from './protocol';
import type { HostSession, TabSettings } from './host-session';

type Answer = HostAnswer | null | 'unsupported';

const answers: Record<string, (session: HostSession, args: unknown[]) => Answer> = {
  initialize(session, [sdkVersion, , origins]) {
    const version = typeof sdkVersion === 'string' ? sdkVersion : '';
    session.initialize = { sdkVersion: version, validMessageOrigins: Array.isArray(origins) ? origins.filter(isString) : [] };
    const clientVersion = session.options.clientSupportedSDKVersion ?? version;
    return { args: [session.context.frameContext ?? 'content', 'web', runtimeConfig(session.options.capabilities), clientVersion] };
  },
  getContext(session) {
    return { args: [legacyContext(session.context, session.sessionId)] };
  },
  'authentication.getAuthToken'(session, [resources, claims, silent, tenantId]) {
    const answer = session.token;
    session.tokenCalls.push({ resources, claims, silent, tenantId, answer });
    return { args: 'token' in answer ? [true, answer.token] : [false, answer.error] };
  },
  'settings.setSettings'(session, [settings]) {
    session.settings = tabSettings(settings);
    return { args: [true] };
  },
  'settings.getSettings'(session) {
    return { args: [session.settings ?? {}] };
  },
  'settings.setValidityState'(session, [valid]) {
    session.validityState = valid === true;
    return null;
  },
  'settings.save.success'(session) {
    session.saveOutcomes.push({ ok: true, settings: session.settings });
    return null;
  },
  'settings.save.failure'(session, [reason]) {
    session.saveOutcomes.push({ ok: false, reason: typeof reason === 'string' ? reason : null });
    return null;
  },
  registerHandler(session, [name]) {
    if (typeof name === 'string') session.registeredHandlers.push(name);
    return null;
  },
  executeDeepLink(session, [link]) {
    if (typeof link === 'string') session.deepLinks.push(link);
    return { args: [true] };
  },
  'appInitialization.appLoaded'(session) {
    session.appInitialization.appLoaded = true;
    return null;
  },
  'appInitialization.success'(session) {
    session.appInitialization.success = true;
    return { args: [] };
  },
  'appInitialization.failure'(session, [reason, message]) {
    session.appInitialization.failure = { reason, message };
    return null;
  },
  'appInitialization.expectedFailure'(session, [reason, message]) {
    session.appInitialization.expectedFailure = { reason, message };
    return null;
  },
};

/** The answer to `request`, null when Teams sends none, 'unsupported' when the host does not know it. */
export function answerRequest(session: HostSession, request: TeamsRequest): Answer {
  if (!Object.hasOwn(answers, request.func)) return 'unsupported';
  return answers[request.func](session, request.args);
}

function tabSettings(value: unknown): TabSettings {
  const given = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const settings: TabSettings = {};
  for (const key of ['entityId', 'contentUrl', 'suggestedDisplayName', 'websiteUrl', 'removeUrl'] as const) {
    const field = given[key];
    if (typeof field === 'string') settings[key] = field;
  }
  return settings;
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}
