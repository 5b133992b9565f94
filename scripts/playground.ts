/**
 * `npm run playground`
 *
 * Starts the Microsoft 365 Agents Playground (a Teams-like client, offline) in the foreground,
 * talking to the local bot at http://127.0.0.1:<PORT>/api/messages. It shows a team "klink demo"
 * with the channels General and "VIP desk"; @mention "klink" there to talk to the bot.
 * Start the bot first (`npm start`) in local mode: BOT_ID unset.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../src/config';
import { buildPlaygroundConfig, playgroundCommand, writePlaygroundConfig } from '../test/support/playground';

const PLAYGROUND_PORT = 56150;

/** True when nothing listens on `port` (the playground silently moves to a random port otherwise). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, () => probe.close(() => resolve(true)));
  });
}

async function main(): Promise<number> {
  const config = loadConfig(process.env);
  if (!config.localMode) {
    process.stderr.write(
      'warning: BOT_ID is set, so the bot requires Bot Framework tokens; the playground sends none. Unset BOT_ID for local mode.\n',
    );
  }
  if (!(await portIsFree(PLAYGROUND_PORT))) {
    process.stderr.write(`port ${PLAYGROUND_PORT} is in use: stop the other playground (or whatever holds it) and retry\n`);
    return 1;
  }

  const workDir = path.join(os.tmpdir(), 'klink-teams-playground');
  fs.mkdirSync(workDir, { recursive: true });
  const teams = buildPlaygroundConfig({
    botName: 'klink',
    teamName: 'klink demo',
    channel: { id: '19:vip-desk@thread.tacv2', name: 'VIP desk' },
  });
  const configPath = writePlaygroundConfig(teams, workDir);
  const botEndpoint = `http://127.0.0.1:${config.port}/api/messages`;
  const { command, args, env, cwd } = playgroundCommand({ botEndpoint, port: PLAYGROUND_PORT, configPath, workDir });

  process.stdout.write(
    [
      `Agents Playground UI: http://localhost:${PLAYGROUND_PORT}`,
      `  bot endpoint  ${botEndpoint}`,
      `  team          "${teams.team.name}": General, "${teams.team.channels[0]?.name ?? '-'}"; write "@${teams.bot.name} help" in a channel`,
      `  config / log  ${configPath} / ${env.M365_AGENTS_PLAYGROUND_LOGFILE ?? ''}`,
      '',
    ].join('\n'),
  );

  // Same process group as this script: Ctrl+C reaches both.
  const child = spawn(command, args, { cwd, env, stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1)));
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
