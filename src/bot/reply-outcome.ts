/**
 * Sends a reply through klink and says how it ended, in words for the card. A send klink may have
 * taken (500, 502, 504, no answer in time, an answer that cannot be read) is "unknown": it is
 * never sent again by itself, and the card says it may have been sent. Messages never carry the
 * token or the text.
 */
import type { KlinkApiClient } from '../klink/api-client';
import { KlinkApiError } from '../klink/api-errors';
import type { ReplyResult } from '../store/store';

/** Sends the text to the contact and returns the outcome to record. Unexpected errors are thrown. */
export async function sendReply(client: KlinkApiClient | null, contactId: string, text: string, at: Date): Promise<ReplyResult> {
  if (client === null) return failed('no-token', 'this klink workspace has no API token any more; an operator must set one');
  try {
    const sent = await client.sendText({ contactId, message: text, createdAt: at });
    return { outcome: 'sent', klinkMessageId: sent.messageId, errorCode: null, error: null };
  } catch (err) {
    if (!(err instanceof KlinkApiError)) throw err;
    return outcomeOf(err);
  }
}

function failed(code: string, error: string): ReplyResult {
  return { outcome: 'failed', klinkMessageId: null, errorCode: code, error };
}

function outcomeOf(err: KlinkApiError): ReplyResult {
  const status = err.status === null ? '' : ` (klink answered ${err.status})`;
  switch (err.code) {
    case 'token-refused':
      return failed(err.code, `the klink API token was refused${status}; an operator must set a new token`);
    case 'contact-not-found':
      return failed(err.code, `klink does not know this contact${status}; it may have been deleted in klink`);
    case 'unavailable':
    case 'rate-limited':
    case 'timeout':
      return failed(err.code, `klink is unavailable right now${status}; nothing was sent, try again later`);
    case 'invalid-request':
      return failed(err.code, `klink refused the reply${status}`);
    case 'outcome-unknown':
    case 'malformed-answer': {
      const why = err.status === null ? 'klink did not answer in time' : `klink is unavailable${status}`;
      return { outcome: 'unknown', klinkMessageId: null, errorCode: err.code, error: why };
    }
  }
}
