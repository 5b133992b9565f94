import assert from 'node:assert/strict';
import { signBody, verifyWebhook } from '../../../src/klink/verify';

const body = Buffer.from('{"event":"message.inbound","timestamp":"2025-12-23T11:16:55.943Z","data":{"id":"1"}}');

describe('verifyWebhook', () => {
  describe('signature mode', () => {
    const auth = { mode: 'signature' as const, secrets: ['old-secret', 'new-secret'] };

    it('accepts hex(HMAC-SHA256(secret, raw body)) from any configured secret', () => {
      assert.deepEqual(verifyWebhook(auth, { 'x-signature': signBody('old-secret', body) }, body), { ok: true });
      assert.deepEqual(verifyWebhook(auth, { 'x-signature': signBody('new-secret', body) }, body), { ok: true });
    });

    it('tolerates a sha256= prefix, white space and upper case', () => {
      const sig = signBody('new-secret', body);
      assert.equal(verifyWebhook(auth, { 'x-signature': ` sha256=${sig.toUpperCase()} ` }, body).ok, true);
    });

    it('rejects a wrong secret, a changed body, a missing or malformed header', () => {
      assert.equal(verifyWebhook(auth, { 'x-signature': signBody('other', body) }, body).ok, false);
      const changed = Buffer.from(body.toString().replace('"1"', '"2"'));
      assert.equal(verifyWebhook(auth, { 'x-signature': signBody('old-secret', body) }, changed).ok, false);
      const missing = verifyWebhook(auth, {}, body);
      assert.equal(missing.ok, false);
      const b64 = verifyWebhook(auth, { 'x-signature': Buffer.from('x'.repeat(32)).toString('base64') }, body);
      assert.ok(!b64.ok && b64.detail.looksBase64 === true);
    });

    it('rejects everything when no secret is configured', () => {
      assert.equal(verifyWebhook({ mode: 'signature', secrets: [] }, { 'x-signature': signBody('', body) }, body).ok, false);
    });

    it('never puts the secret or the body in the failure detail', () => {
      const result = verifyWebhook(auth, { 'x-signature': signBody('wrong', body) }, body);
      const text = JSON.stringify(result);
      assert.ok(!text.includes('old-secret') && !text.includes('message.inbound'));
    });
  });

  it('basic mode compares user and password', () => {
    const auth = { mode: 'basic' as const, user: 'klink', password: 'pa:ss' };
    const header = (v: string) => ({ authorization: `Basic ${Buffer.from(v).toString('base64')}` });
    assert.equal(verifyWebhook(auth, header('klink:pa:ss'), body).ok, true);
    assert.equal(verifyWebhook(auth, header('klink:nope'), body).ok, false);
    assert.equal(verifyWebhook(auth, { authorization: 'Bearer x' }, body).ok, false);
  });

  it('header mode compares the configured header', () => {
    const auth = { mode: 'header' as const, name: 'x-klink-token', value: 't0k3n' };
    assert.equal(verifyWebhook(auth, { 'x-klink-token': 't0k3n' }, body).ok, true);
    assert.equal(verifyWebhook(auth, { 'x-klink-token': 't0k3' }, body).ok, false);
    assert.equal(verifyWebhook(auth, {}, body).ok, false);
  });
});
