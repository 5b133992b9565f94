import assert from 'node:assert/strict';
import { routeLabel } from '../../../src/http/client-trouble';

describe('requests that never arrive whole: the label they are counted under', () => {
  const at = (path: string) => routeLabel({ path: () => path });

  it('is one of our routes, never the path a caller made up', () => {
    assert.equal(at('/api/klink/webhook'), '/api/klink/webhook');
    assert.equal(at('/api/klink/webhook/made-up-connection-id'), '/api/klink/webhook');
    assert.equal(at('/api/messages'), '/api/messages');
    assert.equal(at('/api/tab/conversations/19%3Aabc/subscriptions'), '/api/tab');
    assert.equal(at('/made-up-by-the-caller-x1y2'), 'other');
    assert.equal(at('/api/klink/webhookX'), 'other');
  });
});
