import assert from 'node:assert/strict';
import { GlobalSettings } from 'adaptivecards-templating';
import { CardTemplateError, CardTooLargeError, MAX_CARD_BYTES, cardByteLength, renderTemplate } from '../../../src/cards/render';

const template = {
  type: 'AdaptiveCard',
  version: '1.4',
  msteams: { width: 'Full' },
  body: [
    { type: 'TextBlock', text: '${text}' },
    { type: 'TextBlock', text: 'Note: ${text}' },
    { $data: '${items}', type: 'TextBlock', text: '${name}' },
  ],
  actions: [{ type: 'Action.OpenUrl', title: 'Open', url: '${url}' }],
};

function texts(card: { body: { [key: string]: unknown }[] }): unknown[] {
  return card.body.map((element) => element.text);
}

describe('renderTemplate', () => {
  it('binds data into the template', () => {
    const card = renderTemplate(template, { text: 'hello', items: [{ name: 'a' }, { name: 'b' }], url: 'https://x.test/' });
    assert.deepEqual(texts(card), ['hello', 'Note: hello', 'a', 'b']);
    assert.deepEqual(card.actions, [{ type: 'Action.OpenUrl', title: 'Open', url: 'https://x.test/' }]);
    assert.deepEqual(card.msteams, { width: 'Full' });
  });

  it('never evaluates template syntax that arrives inside data', () => {
    const hostile = 'a ${secret} b ${$root.secret} c ${url} d {{x}} e ${if(true, "x", "y")} f $${secret}';
    const card = renderTemplate(template, { text: hostile, secret: 'LEAKED', items: [{ name: '${secret}' }], url: 'https://x.test/' });
    assert.deepEqual(texts(card), [hostile, `Note: ${hostile}`, '${secret}']);
    assert.ok(!JSON.stringify(card.body).includes('LEAKED'));
  });

  it('refuses data that lacks a bound field instead of showing "${field}"', () => {
    assert.throws(
      () => renderTemplate(template, { text: 'x', items: [] }),
      (err: unknown) => {
        assert.ok(err instanceof CardTemplateError);
        assert.match(err.message, /url/);
        return true;
      },
    );
    assert.throws(() => renderTemplate(template, { text: 'x', items: [{}], url: 'https://x.test/' }), /name/);
  });

  it('restores the library setting it borrows, also after a failure', () => {
    const before = GlobalSettings.getUndefinedFieldValueSubstitutionString;
    renderTemplate(template, { text: 'x', items: [], url: 'https://x.test/' });
    assert.equal(GlobalSettings.getUndefinedFieldValueSubstitutionString, before);
    assert.throws(() => renderTemplate(template, { items: [] }), CardTemplateError);
    assert.equal(GlobalSettings.getUndefinedFieldValueSubstitutionString, before);
  });

  it('refuses null and non-finite values (the library crashes or writes null into the card)', () => {
    assert.throws(() => renderTemplate(template, { text: null, items: [], url: 'https://x.test/' }), /\$root\.text is null/);
    assert.throws(() => renderTemplate(template, { text: 'x', items: [{ name: null }], url: 'u' }), /\$root\.items\[0\]\.name/);
    assert.throws(() => renderTemplate(template, { text: Number.NaN, items: [], url: 'u' }), CardTemplateError);
  });

  it('drops an element bound to an empty list', () => {
    const card = renderTemplate(template, { text: 'x', items: [], url: 'https://x.test/' });
    assert.equal(card.body.length, 2);
  });

  it('refuses a template that is not an Adaptive Card', () => {
    assert.throws(() => renderTemplate({ type: 'Message', body: [] }, {}), CardTemplateError);
    assert.throws(() => renderTemplate({ type: 'AdaptiveCard', version: '1.4', body: 'x' }, {}), CardTemplateError);
  });

  describe('size guard', () => {
    const small = { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: '${text}' }] };
    const overhead = cardByteLength(renderTemplate(small, { text: '' }));

    it('accepts a card of exactly 28 KB and refuses one byte more', () => {
      const exact = renderTemplate(small, { text: 'a'.repeat(MAX_CARD_BYTES - overhead) });
      assert.equal(cardByteLength(exact), 28 * 1024);
      assert.throws(
        () => renderTemplate(small, { text: 'a'.repeat(MAX_CARD_BYTES - overhead + 1) }),
        (err: unknown) => {
          assert.ok(err instanceof CardTooLargeError);
          assert.equal(err.bytes, 28 * 1024 + 1);
          return true;
        },
      );
    });

    it('counts UTF-8 bytes, not characters', () => {
      const text = 'é'.repeat(20_000); // 20,000 characters, 40,000 bytes
      assert.throws(() => renderTemplate(small, { text }), CardTooLargeError);
    });
  });
});
