/**
 * What the operator reads when start-up fails: one line that names the setting to change, no
 * stack trace, for the failures the environment causes (configuration, database path, port).
 * Anything else is a bug and keeps its stack.
 */
import { ConfigError } from './config';
import { StoreOpenError } from './store/errors';

export function describeStartupError(err: unknown, port: number | null): string {
  if (err instanceof ConfigError) return err.message;
  if (err instanceof StoreOpenError) {
    return `klink-teams cannot start: DATABASE_URL: ${err.message.replace(/\s*\n\s*/g, ' ')}; set DATABASE_URL to a writable local path (sqlite:<path>) or a reachable postgres:// URL`;
  }
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'EADDRINUSE') {
    return `klink-teams cannot start: PORT ${port ?? ''} is already in use: stop the process that listens on it, or set PORT to a free port`;
  }
  if (code === 'EACCES' && (err as NodeJS.ErrnoException).syscall === 'listen') {
    return `klink-teams cannot start: PORT ${port ?? ''} needs privileges this process lacks: set PORT to 1024 or above`;
  }
  return (err as Error | null)?.stack ?? String(err);
}
