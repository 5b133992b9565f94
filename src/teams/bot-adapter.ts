/**
 * botbuilder's CloudAdapter with its turn processing callable by our own route. CloudAdapter's
 * `process` answers failures itself: it prints them with console.error and sends the error's
 * message (a library's text, a host and port) with 401 or 500. The route (src/http/messages-route.ts)
 * calls `run` instead and decides what the caller sees.
 */
import { type Activity, CloudAdapter, type InvokeResponse, type TurnContext } from 'botbuilder';

export class BotAdapter extends CloudAdapter {
  /** Authenticates `authHeader` for `activity`, then runs `logic` in a turn; throws what either throws. */
  run(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authHeader, activity, logic);
  }
}
