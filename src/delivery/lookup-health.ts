/**
 * Whether klink's contact look-ups work, for the log: one warning when they start failing or
 * running past the wait (messages are then posted with what is known), one info line when a
 * look-up answers within the wait again — per outage, not per message. Names and ids stay out.
 */
import type { Logger } from '../log';

export type LookupTrouble = { kind: 'slow'; waitMs: number } | { kind: 'failing'; code: string; status: number | null };

export class LookupHealth {
  private trouble: LookupTrouble | null = null;

  constructor(private readonly log: Logger) {}

  /** A look-up failed, or a message was posted while its look-up was still under way. */
  troubled(trouble: LookupTrouble): void {
    if (this.trouble !== null) return;
    this.trouble = trouble;
    const what = trouble.kind === 'slow' ? `take longer than ${trouble.waitMs} ms` : 'fail';
    this.log.warn(
      { ...trouble },
      `klink contact look-ups ${what}: messages of contacts not yet known are posted as they are ("Unknown contact", no VIP match) until klink answers again`,
    );
  }

  /** A look-up got klink's answer within the wait. */
  answered(): void {
    if (this.trouble === null) return;
    this.trouble = null;
    this.log.info('klink contact look-ups work again: messages of new contacts get their name and tags');
  }
}
