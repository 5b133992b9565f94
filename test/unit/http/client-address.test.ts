import assert from 'node:assert/strict';
import { withoutPort } from '../../../src/http/consent-routes';

describe('the consent rate limit: who a caller is', () => {
  it('counts a caller by address, not by the port App Service appends to it', () => {
    assert.equal(withoutPort('203.0.113.7:51234'), '203.0.113.7');
    assert.equal(withoutPort('[2001:db8::1]:51234'), '2001:db8::1');
    assert.equal(withoutPort('2001:db8::1'), '2001:db8::1');
    assert.equal(withoutPort('203.0.113.7'), '203.0.113.7');
  });
});
