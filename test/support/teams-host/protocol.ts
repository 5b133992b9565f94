/**
 * The window.postMessage wire between teams-js 2.58 (in the tab's iframe) and its host, as read
 * in @microsoft/teams-js/dist (internal/communication.ts, internal/messageObjects.ts):
 *
 * - tab → host, a request: `{ id, uuidAsString, func, args, apiVersionTag, timestamp,
 *   monotonicTimestamp, isProxiedFromChild, teamsJsInstanceId }` (`serializeMessageRequest` turns
 *   the request's `uuid` object into `uuidAsString`). The first one, `initialize`, is posted to
 *   any origin ('*'); later ones wait until a valid answer has told teams-js its parent's origin.
 * - host → tab, an answer: `{ id, uuidAsString, args }` (optionally `isPartialResponse: true` to
 *   keep the callback for more). teams-js finds its callback by `uuidAsString`, or by the legacy
 *   numeric `id`, and calls it with `...args`.
 * - host → tab, an event: `{ func, args }` with no numeric `id` (`themeChange`, `settings.save`):
 *   teams-js hands `args` to the handler registered under `func`.
 *
 * teams-js ignores any message whose origin it does not trust: see the entry module (index.ts).
 */

/** A request as teams-js posts it to its parent. */
export interface TeamsRequest {
  id: number;
  uuidAsString?: string;
  func: string;
  args: unknown[];
  apiVersionTag?: string;
}

/** What the host answers a request with; the host page adds the request's `id` and `uuidAsString`. */
export interface HostAnswer {
  args: unknown[];
}

/** An SdkError as hosts return it; teams-js's `isSdkError` looks for a numeric `errorCode`. */
export interface SdkError {
  errorCode: number;
  message?: string;
}

/** teams-js ErrorCode.NOT_SUPPORTED_ON_PLATFORM: what a host answers for an API it does not offer. */
export const NOT_SUPPORTED_ON_PLATFORM = 100;

/** The request in a message event's data, or null when it is not one (teams-js posts nothing else). */
export function parseRequest(data: unknown): TeamsRequest | null {
  if (typeof data !== 'object' || data === null) return null;
  const { id, uuidAsString, func, args, apiVersionTag } = data as Record<string, unknown>;
  if (typeof id !== 'number' || typeof func !== 'string') return null;
  return {
    id,
    uuidAsString: typeof uuidAsString === 'string' ? uuidAsString : undefined,
    func,
    args: Array.isArray(args) ? (args as unknown[]) : [],
    apiVersionTag: typeof apiVersionTag === 'string' ? apiVersionTag : undefined,
  };
}
