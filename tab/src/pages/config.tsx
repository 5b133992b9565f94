/**
 * The klink tab's configuration page (`config.html`, shown when the tab is added to a channel or
 * chat): says what the tab will do, becomes valid once it knows the conversation, and on Save
 * points Teams at content.html.
 */
import { MessageBar, MessageBarBody, Text, Title2, makeStyles } from '@fluentui/react-components';
import { pages } from '@microsoft/teams-js';
import { useEffect } from 'react';
import { tabConversation } from '../logic/conversation';
import { startPage } from '../components/page-shell';

const useStyles = makeStyles({ page: { display: 'flex', flexDirection: 'column', gap: '12px', maxWidth: '640px' } });

const TAB_ENTITY_ID = 'klink-feed';

function Config({ conversationId }: { conversationId: string | null }) {
  const styles = useStyles();
  useEffect(() => {
    if (conversationId === null) return;
    pages.config.registerOnSaveHandler((save) => {
      pages.config
        .setConfig({
          entityId: TAB_ENTITY_ID,
          contentUrl: `${location.origin}/tab/content.html`,
          suggestedDisplayName: 'klink',
        })
        .then(() => save.notifySuccess())
        .catch((err: unknown) => save.notifyFailure(err instanceof Error ? err.message : String(err)));
    });
    pages.config.setValidityState(true);
  }, [conversationId]);
  return (
    <main className={styles.page}>
      <Title2 as="h1">klink for this conversation</Title2>
      <Text>
        The klink tab shows which klink.cloud messages are posted here as cards, and lets everyone in the conversation change it: add
        subscriptions with a filter builder and a preview of the card, remove them, unmute klink rooms, and see recent deliveries and retry
        the ones Teams did not take.
      </Text>
      <Text>It is the same list as @klink subscriptions in the conversation.</Text>
      {conversationId === null ? (
        <MessageBar intent="warning">
          <MessageBarBody>Add this tab to a channel or group chat: Teams did not say which conversation this is.</MessageBarBody>
        </MessageBar>
      ) : (
        <Text weight="semibold">Select Save to add the tab.</Text>
      )}
    </main>
  );
}

startPage((context) => <Config conversationId={tabConversation(context)?.id ?? null} />);
