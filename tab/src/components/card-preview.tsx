/**
 * The live preview of the card these filters would post, drawn by the real Adaptive Cards
 * renderer (loaded on demand) in the page's light or dark look.
 */
import { Spinner, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import { useThemeKind } from './theme-kind';

const useStyles = makeStyles({
  frame: {
    maxWidth: '560px',
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    overflow: 'hidden',
  },
});

export function CardPreview({ card }: { card: object }) {
  const styles = useStyles();
  const kind = useThemeKind();
  const target = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<'loading' | 'shown' | 'failed'>('loading');

  useEffect(() => {
    let live = true;
    import('../cards/render-card')
      .then(({ renderCard }) => {
        if (!live || target.current === null) return;
        renderCard(card, target.current, kind);
        setState('shown');
      })
      .catch(() => live && setState('failed'));
    return () => {
      live = false;
    };
  }, [card, kind]);

  return (
    <div>
      {state === 'loading' ? <Spinner size="tiny" label="Drawing the card…" /> : null}
      {state === 'failed' ? <span>The card preview could not be drawn; the subscription works all the same.</span> : null}
      <div ref={target} className={styles.frame} role="img" aria-label="Preview of the card klink will post" data-card-preview="" />
    </div>
  );
}
