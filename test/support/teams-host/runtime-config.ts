/**
 * The runtime config the test host answers `initialize` with: teams-js 2.58 reads it (a JSON
 * string, `apiVersion` 4 = its `latestRuntimeApiVersion`) to decide which capabilities'
 * `isSupported()` hold and which calls it lets through (`pages.config.setConfig` throws "not
 * supported on platform" unless `supports.pages.config` is there). It advertises what a klink tab
 * uses and what the Teams web client offers alongside; calls the host does not answer are still
 * answered, as not supported.
 */
export type RuntimeCapabilities = Record<string, object>;

export const DEFAULT_CAPABILITIES: RuntimeCapabilities = {
  app: {},
  appInitialization: {},
  authentication: {},
  pages: { appButton: {}, backStack: {}, config: {}, tabs: {} },
  teams: { fullTrust: { joinedTeams: {} } },
  teamsCore: {},
};

/** The runtime config string; `capabilities` replace the defaults' top-level entries of the same name. */
export function runtimeConfig(capabilities: RuntimeCapabilities = {}): string {
  return JSON.stringify({
    apiVersion: 4,
    hostVersionsInfo: { adaptiveCardSchemaVersion: { majorVersion: 1, minorVersion: 5 } },
    isLegacyTeams: false,
    isNAAChannelRecommended: false,
    supports: { ...DEFAULT_CAPABILITIES, ...capabilities },
  });
}
