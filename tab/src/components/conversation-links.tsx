/** The channels and chats the user can manage klink in, each linking to its klink tab (through Teams when it can). */
import { Link, Text, makeStyles } from '@fluentui/react-components';
import type { ConversationSummary } from '../logic/api-types';
import { openTeamsLink } from '../teams/open-link';

const useStyles = makeStyles({ list: { margin: 0, paddingLeft: '20px', display: 'flex', flexDirection: 'column', gap: '6px' } });

function name(c: ConversationSummary): string {
  if (c.type === 'channel') return `${c.teamName ?? 'A team'} › ${c.name ?? 'a channel'}`;
  return c.name ?? 'A group chat';
}

export function ConversationLinks({ conversations }: { conversations: ConversationSummary[] }) {
  const styles = useStyles();
  if (conversations.length === 0) {
    return (
      <Text>klink is not in any of your channels or chats yet: add the klink app to a team or chat, then type @klink subscribe there.</Text>
    );
  }
  return (
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
              <Text>{label} (add the klink tab there to manage it)</Text>
            )}
          </li>
        );
      })}
    </ul>
  );
}
