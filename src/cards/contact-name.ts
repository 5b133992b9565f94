/** A contact's name as shown in Teams: never a phone number (some contacts are named by their number). */
import type { KlinkContact } from '../klink/events';

/** The name, or null when it is empty or looks like a phone number. */
export function contactName(contact: KlinkContact | null): string | null {
  const name = contact?.name.trim() ?? '';
  if (name === '' || looksLikePhoneNumber(name)) return null;
  return name;
}

function looksLikePhoneNumber(name: string): boolean {
  return /^[+\d\s().-]+$/.test(name) && (name.match(/\d/g) ?? []).length >= 6;
}
