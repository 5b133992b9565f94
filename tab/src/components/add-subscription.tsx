/**
 * Add a subscription: the filter builder, the equivalent `@klink subscribe …` command and the
 * bot's description of it, a live preview of the card, every problem explained in place, and Add
 * (disabled while the choice is invalid, checking, or the same as an existing subscription).
 */
import {
  Button,
  Caption1,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import type { ApiFailure } from '../logic/api-failure';
import type { Vocabulary } from '../logic/api-types';
import { type BuilderState, builderProblems, emptyBuilder, filterWords } from '../logic/filter-words';
import { useShared } from './api-context';
import { CardPreview } from './card-preview';
import { FailureBar } from './failure-bar';
import { FilterBuilder } from './filter-builder';
import { useFilterCheck } from './use-filter-check';

const useStyles = makeStyles({
  summary: { display: 'flex', flexDirection: 'column', gap: '8px', marginTop: '16px' },
  command: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase300 },
  actions: { display: 'flex', gap: '8px', alignItems: 'center' },
});

export interface AddSubscriptionProps {
  conversationId: string;
  commandPrefix: string;
  vocabulary: Vocabulary;
}

type Outcome = { kind: 'added' | 'existed'; description: string } | { kind: 'failed'; failure: ApiFailure };

export function AddSubscription({ conversationId, commandPrefix, vocabulary }: AddSubscriptionProps) {
  const styles = useStyles();
  const { api, refresh } = useShared();
  const [state, setState] = useState<BuilderState>(emptyBuilder);
  const [adding, setAdding] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const local = builderProblems(state);
  const words = local.length === 0 ? filterWords(state) : '';
  const check = useFilterCheck(conversationId, words);
  const current = check.words === words && words !== '' ? check.result : null;
  const checked = current?.ok ? current.value : null;
  const unavailable = current !== null && !current.ok && current.failure.kind === 'not-available';
  const invalid = local.length > 0 || (checked !== null && !checked.ok);
  const duplicate = checked?.ok ? checked.duplicateOf : null;
  const pending = words !== '' && current === null;
  const command = checked?.ok ? checked.command : `${commandPrefix}subscribe ${filterWords(state)}`;

  const add = async () => {
    setAdding(true);
    const answer = await api.addSubscription(conversationId, words);
    setAdding(false);
    if (!answer.ok) return setOutcome({ kind: 'failed', failure: answer.failure });
    setOutcome({ kind: answer.value.created ? 'added' : 'existed', description: answer.value.subscription.description });
    if (answer.value.created) setState(emptyBuilder());
    refresh();
  };

  return (
    <div>
      <FilterBuilder vocabulary={vocabulary} state={state} onChange={(next) => (setState(next), setOutcome(null))} />
      <div className={styles.summary} aria-live="polite">
        {filterWords(state) === '' ? (
          <Text>Choose at least one filter above, or Everything.</Text>
        ) : (
          <Text>
            Same as typing: <code className={styles.command}>{command}</code>
          </Text>
        )}
        {checked?.ok ? <Text weight="semibold">{checked.description}</Text> : null}
        {local.map((problem) => (
          <Problem key={problem} text={problem} />
        ))}
        {checked !== null && !checked.ok
          ? checked.problems.map((p) => <Problem key={p.problem} text={p.suggestion ? `${p.problem} ${p.suggestion}` : p.problem} />)
          : null}
        {current !== null && !current.ok && !unavailable ? <FailureBar failure={current.failure} /> : null}
        {duplicate !== null ? (
          <MessageBar intent="info">
            <MessageBarBody>
              Subscription {duplicate} already posts exactly these messages here: adding it again would change nothing.
            </MessageBarBody>
          </MessageBar>
        ) : null}
        {unavailable ? (
          <Caption1>The check and card preview are not available on this klink server yet; Add still checks the filters.</Caption1>
        ) : null}
        {checked?.ok ? <CardPreview card={checked.preview.card} /> : null}
        <div className={styles.actions}>
          <Button
            appearance="primary"
            disabled={invalid || pending || adding || duplicate !== null || words === ''}
            onClick={() => void add()}
          >
            Add subscription
          </Button>
          {pending || adding ? <Spinner size="tiny" label={adding ? 'Adding…' : 'Checking…'} /> : null}
        </div>
        {outcome?.kind === 'failed' ? <FailureBar failure={outcome.failure} /> : null}
        {outcome?.kind === 'added' ? <Done title="Added" text={outcome.description} /> : null}
        {outcome?.kind === 'existed' ? <Done title="Already subscribed" text={`${outcome.description} Nothing changed.`} /> : null}
      </div>
    </div>
  );
}

function Problem({ text }: { text: string }) {
  return (
    <MessageBar intent="warning">
      <MessageBarBody>{text}</MessageBarBody>
    </MessageBar>
  );
}

function Done({ title, text }: { title: string; text: string }) {
  return (
    <MessageBar intent="success">
      <MessageBarBody>
        <MessageBarTitle>{title}</MessageBarTitle>
        {text}
      </MessageBarBody>
    </MessageBar>
  );
}
