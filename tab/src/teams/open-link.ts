/** Opens a Teams deep link through Teams when it can (`app.openLink`), else as a normal link. */
import { app } from '@microsoft/teams-js';

export function openTeamsLink(url: string): boolean {
  if (!app.isInitialized()) return false;
  app.openLink(url).catch(() => window.open(url, '_blank', 'noopener'));
  return true;
}
