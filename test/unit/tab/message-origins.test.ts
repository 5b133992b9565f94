/** teams-js gets an extra valid origin only when both the page and its parent are on loopback. */
import assert from 'node:assert/strict';
import { localMessageOrigins } from '../../../tab/src/logic/message-origins';

describe('tab: extra valid message origins (local development only)', () => {
  it('accepts a loopback parent for a loopback page', () => {
    assert.deepEqual(localMessageOrigins('127.0.0.1', 'http://127.0.0.1:5173'), ['http://127.0.0.1:5173']);
    assert.deepEqual(localMessageOrigins('localhost', 'http://localhost:4000'), ['http://localhost:4000']);
    assert.deepEqual(localMessageOrigins('[::1]', 'http://[::1]:8080'), ['http://[::1]:8080']);
  });

  it('adds nothing anywhere else', () => {
    assert.equal(localMessageOrigins('klink.example.com', 'http://127.0.0.1:5173'), undefined);
    assert.equal(localMessageOrigins('127.0.0.1', 'https://teams.microsoft.com'), undefined);
    assert.equal(localMessageOrigins('127.0.0.1', 'http://127.0.0.1.evil.example'), undefined);
    assert.equal(localMessageOrigins('127.0.0.1', undefined), undefined);
    assert.equal(localMessageOrigins('127.0.0.1', 'not a url'), undefined);
    assert.equal(localMessageOrigins('127.0.0.1', 'file://'), undefined);
  });
});
