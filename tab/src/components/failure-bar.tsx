/** A failed call, shown in place next to what failed: what happened, what to do, and Try again when that can help. */
import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { type ApiFailure, failureMessage } from '../logic/api-failure';

export function FailureBar({ failure, onRetry }: { failure: ApiFailure; onRetry?: () => void }) {
  const message = failureMessage(failure);
  const intent = failure.kind === 'not-available' ? 'info' : failure.kind === 'problem' && failure.status < 500 ? 'warning' : 'error';
  return (
    <MessageBar intent={intent} layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>{message.title}</MessageBarTitle>
        {message.body}
      </MessageBarBody>
      {message.retry && onRetry ? (
        <MessageBarActions>
          <Button onClick={onRetry}>Try again</Button>
        </MessageBarActions>
      ) : null}
    </MessageBar>
  );
}
