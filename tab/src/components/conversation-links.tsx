/** The channels and chats the user can manage klink in, each linking to its klink tab (through Teams when it can). */
import { Link, Text, makeStyles } from '@fluentui/react-components';
import type { ConversationSummary, Me } from '../logic/api-types';
import { openTeamsLink } from '../teams/open-link';

const useStyles = makeStyles({ list: { margin: 0, paddingLeft: '20px', display: 'flex', flexDirection: 'column', gap: '6px' } });

function name(c: ConversationSummary): string {
  if (c.type === 'channel') return `${c.teamName ?? 'A team'} › ${c.name ?? 'a channel'}`;
  return c.name ?? 'A group chat';
}

/** What klink could not look at: more conversations than it checks, or Teams not answering for some. */
function LimitsNote({ limits }: { limits: Me['limits'] }) {
  if (limits === undefined || (!limits.truncated && limits.unanswered === 0)) return null;
  const parts: string[] = [];
  if (limits.truncated) parts.push(`klink looked at your ${limits.maxChecked} most recently active conversations only`);
  if (limits.unanswered > 0)
    parts.push(`Teams did not answer for ${limits.unanswered} of them, so they are not listed (try Refresh later)`);
  return <Text block>{parts.join('; ')}.</Text>;
}

export function ConversationLinks({ conversations, limits }: { conversations: ConversationSummary[]; limits?: Me['limits'] }) {
  const styles = useStyles();
  if (conversations.length === 0) {
    return (
      <Text>klink is not in any of your channels or chats yet: add the klink app to a team or chat, then type @klink subscribe there.</Text>
    );
  }
  return (
    <>
      <LimitsNote limits={limits} />
      <ul className={styles.list} aria-label="Your channels and chats with klink">
        {conversations.map((c) => {
          const label = `${name(c)} — ${c.subscriptions} subscription${c.subscriptions === 1 ? '' : 's'}`;
          return (
            <li key={c.id}>
              {c.tabUrl ? (
                <Link
                  href={c.tabUrl}
                  target="_blank"
                  rel="noopener noreferrer"
                  onClick={(event) => {
                    if (c.tabUrl !== null && openTeamsLink(c.tabUrl)) event.preventDefault();
                  }}
                >
                  {label}
                </Link>
              ) : (
                <Text>{label} (open the klink tab there in Teams to manage it)</Text>
              )}
            </li>
          );
        })}
      </ul>
    </>
  );
}
