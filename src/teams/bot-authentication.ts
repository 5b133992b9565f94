/**
 * botbuilder's authentication with one correction: it turns only an expired token into an
 * authentication error; any other token the JWT library rejects (bad signature, `alg: none`,
 * not yet valid, wrong algorithm) escapes as a plain error, which would count as our failure.
 * Those are authentication failures: they become AuthenticationError (401) here, and
 * src/http/messages-route.ts answers them without the library's text.
 */
import { type Activity, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { type AuthenticateRequestResult, AuthenticationError } from 'botframework-connector';

const TOKEN_ERRORS = new Set(['JsonWebTokenError', 'NotBeforeError', 'TokenExpiredError']);

export class BotAuthentication extends ConfigurationBotFrameworkAuthentication {
  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    try {
      return await super.authenticateRequest(activity, authHeader);
    } catch (err) {
      throw asAuthenticationError(err);
    }
  }

  override async authenticateStreamingRequest(authHeader: string, channelIdHeader: string): Promise<AuthenticateRequestResult> {
    try {
      return await super.authenticateStreamingRequest(authHeader, channelIdHeader);
    } catch (err) {
      throw asAuthenticationError(err);
    }
  }
}

function asAuthenticationError(err: unknown): unknown {
  if (err instanceof Error && TOKEN_ERRORS.has(err.name)) return new AuthenticationError(`Unauthorized: ${err.name}`, 401);
  return err;
}
