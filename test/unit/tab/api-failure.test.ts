/** The tab's failures and the sentence each one shows in place. */
import assert from 'node:assert/strict';
import { answerFailure, failureMessage } from '../../../tab/src/logic/api-failure';

const PROBLEM = 'application/problem+json; charset=utf-8';

describe('tab API failures → messages', () => {
  it("shows a problem's detail, with each listed problem it does not already contain", () => {
    const failure = answerFailure(400, PROBLEM, {
      type: 'urn:klink-teams:problem:invalid-filters',
      title: 'These filters are not valid',
      status: 400,
      detail: 'Nothing was subscribed: I don\'t know the word "whatsap". Did you mean "whatsapp"?',
      problems: ['I don\'t know the word "whatsap". Did you mean "whatsapp"?', 'Another one.'],
    });
    assert.deepEqual(failure, {
      kind: 'problem',
      status: 400,
      code: 'invalid-filters',
      title: 'These filters are not valid',
      detail: 'Nothing was subscribed: I don\'t know the word "whatsap". Did you mean "whatsapp"?',
      problems: ['I don\'t know the word "whatsap". Did you mean "whatsapp"?', 'Another one.'],
    });
    const message = failureMessage(failure);
    assert.equal(message.title, 'These filters are not valid');
    assert.equal(message.body, 'Nothing was subscribed: I don\'t know the word "whatsap". Did you mean "whatsapp"? Another one.');
    assert.equal(message.retry, false);
  });

  it('offers Try again for a 503 problem, not for a 403', () => {
    const unavailable = answerFailure(503, PROBLEM, {
      type: 'urn:klink-teams:problem:membership-unavailable',
      title: 'T',
      detail: 'Try again in a minute.',
    });
    assert.equal(failureMessage(unavailable).retry, true);
    const forbidden = answerFailure(403, PROBLEM, {
      type: 'urn:klink-teams:problem:not-a-member',
      title: 'Not a member',
      detail: 'Ask an owner.',
    });
    assert.deepEqual(failureMessage(forbidden), { title: 'Not a member', body: 'Ask an owner.', retry: false });
  });

  it('reads a 404 without problem+json as a route this server does not have', () => {
    const failure = answerFailure(404, 'application/json', { code: 'ResourceNotFound', message: '/api/tab/me does not exist' });
    assert.deepEqual(failure, { kind: 'not-available', status: 404 });
    assert.equal(failureMessage(failure).body, 'This part is not available on this klink server yet.');
  });

  it('keeps a 404 problem (e.g. klink not in this conversation) as the server wrote it', () => {
    const failure = answerFailure(404, PROBLEM, {
      type: 'urn:klink-teams:problem:conversation-not-found',
      title: 'klink is not in this conversation',
      detail: 'Add the klink app.',
    });
    assert.equal(failure.kind, 'problem');
    assert.equal(failureMessage(failure).body, 'Add the klink app.');
  });

  it('says something useful for an error without a body', () => {
    const message = failureMessage(answerFailure(502, 'text/html', null));
    assert.match(message.body, /klink answered 502 without saying why/);
    assert.equal(message.retry, true);
  });

  it('words sign-in, token and network failures with what to do', () => {
    assert.match(failureMessage({ kind: 'sign-in', detail: 'Your Teams sign-in has expired.' }).body, /expired\. Reload the tab/);
    assert.match(failureMessage({ kind: 'token', reason: 'resourceRequiresConsent' }).body, /consent to klink/);
    const network = failureMessage({ kind: 'network', reason: 'Failed to fetch' });
    assert.equal(network.title, 'klink cannot be reached');
    assert.equal(network.retry, true);
  });
});
