/** A page's title (h1), what it is about, and Refresh (the data is the bot's, also changed by `@klink` commands). */
import { Button, Text, Title2, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowClockwise20Regular } from '@fluentui/react-icons';
import { useShared } from './api-context';

const useStyles = makeStyles({
  head: { display: 'flex', alignItems: 'center', gap: '16px', flexWrap: 'wrap' },
  about: { color: tokens.colorNeutralForeground2, display: 'block', marginTop: '4px' },
});

export function PageHeader({ title, about }: { title: string; about: string }) {
  const styles = useStyles();
  const { refresh } = useShared();
  return (
    <header>
      <div className={styles.head}>
        <Title2 as="h1">{title}</Title2>
        <Button icon={<ArrowClockwise20Regular />} onClick={refresh}>
          Refresh
        </Button>
      </div>
      <Text className={styles.about}>{about}</Text>
    </header>
  );
}
