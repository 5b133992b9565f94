import assert from 'node:assert/strict';
import { channelDisplayName } from '../../../src/cards/channel-names';

describe('channelDisplayName', () => {
  it('gives the friendly name of every known channel type', () => {
    const expected: Record<string, string> = {
      whatsapp: 'WhatsApp',
      messenger: 'Messenger',
      instagram: 'Instagram',
      line: 'LINE',
      viber: 'Viber',
      telegram: 'Telegram',
      livechat: 'Live chat',
      webchat: 'Live chat',
      email: 'Email',
      sms: 'SMS',
    };
    for (const [type, name] of Object.entries(expected)) assert.equal(channelDisplayName(type), name, type);
  });

  it('ignores case and surrounding spaces', () => {
    assert.equal(channelDisplayName(' WhatsApp '), 'WhatsApp');
  });

  it('shows unknown types by their raw name', () => {
    assert.equal(channelDisplayName('wechat'), 'wechat');
    assert.equal(channelDisplayName('toString'), 'toString');
    assert.equal(channelDisplayName('constructor'), 'constructor');
  });

  it('names a missing channel type', () => {
    assert.equal(channelDisplayName(''), 'Unknown channel');
    assert.equal(channelDisplayName('unknown'), 'Unknown channel');
  });
});
