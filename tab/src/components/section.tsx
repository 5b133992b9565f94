/** A titled part of a page (an h2 with its actions), so every page reads as headings a screen reader can jump between. */
import { Subtitle1, makeStyles, tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';

const useStyles = makeStyles({
  section: { marginTop: '24px', display: 'flex', flexDirection: 'column', gap: '8px' },
  head: { display: 'flex', alignItems: 'center', gap: '12px', flexWrap: 'wrap' },
  note: { color: tokens.colorNeutralForeground3 },
});

export function Section({ id, title, actions, children }: { id: string; title: string; actions?: ReactNode; children: ReactNode }) {
  const styles = useStyles();
  return (
    <section className={styles.section} aria-labelledby={`${id}-title`}>
      <div className={styles.head}>
        <Subtitle1 as="h2" id={`${id}-title`}>
          {title}
        </Subtitle1>
        {actions}
      </div>
      {children}
    </section>
  );
}
