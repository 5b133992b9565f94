import assert from 'node:assert/strict';
import { httpsImageUrl, httpsUrl } from '../../../src/cards/https-url';

describe('httpsUrl', () => {
  it('accepts one https URL, trimmed', () => {
    assert.equal(httpsUrl(' https://cdn.klink.cloud/media/a.pdf '), 'https://cdn.klink.cloud/media/a.pdf');
  });

  it('refuses other schemes, text around a URL and credentials', () => {
    for (const text of [
      'http://cdn.klink.cloud/a.png',
      'javascript:alert(1)',
      'data:image/png;base64,AAAA',
      'see https://cdn.klink.cloud/a.png',
      'https://cdn.klink.cloud/a.png please',
      'https://user:pw@cdn.klink.cloud/a.png',
      'https://',
      '',
      `https://x.test/${'a'.repeat(3000)}`,
    ]) {
      assert.equal(httpsUrl(text), null, text);
    }
  });

  it('percent-encodes characters that would end a Markdown link', () => {
    assert.equal(httpsUrl('https://x.test/a(1)[2].pdf'), 'https://x.test/a%281%29%5B2%5D.pdf');
  });
});

describe('httpsImageUrl', () => {
  it('accepts https png, jpg, jpeg and gif links', () => {
    for (const url of ['https://x.test/a.png', 'https://x.test/a.JPG', 'https://x.test/a.jpeg?size=2', 'https://x.test/a.gif']) {
      assert.equal(httpsImageUrl(url), url);
    }
  });

  it('refuses other image types and non-https links', () => {
    for (const url of ['https://x.test/a.webp', 'https://x.test/a.png.exe', 'http://x.test/a.png', 'https://x.test/?f=a.png']) {
      assert.equal(httpsImageUrl(url), null, url);
    }
  });
});
