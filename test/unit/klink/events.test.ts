import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { dataId, type EnvelopeResult, eventKind, parseEnvelope, readContact, readMessage } from '../../../src/klink/events';

const SAMPLES = path.resolve(__dirname, '../../../samples');

function sample(file: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(SAMPLES, file), 'utf8'));
}

function problems(result: EnvelopeResult): string[] {
  if (result.ok) return assert.fail('the envelope was accepted');
  return result.problems;
}

function accepted(body: unknown) {
  const result = parseEnvelope(body);
  if (!result.ok) return assert.fail(`rejected: ${result.problems.join('; ')}`);
  return result.envelope;
}

const valid = { event: 'message.inbound', timestamp: '2025-12-23T11:16:55.943Z', data: { id: '1' } };

describe('parseEnvelope', () => {
  it("accepts klink's sample and returns its event, timestamp and data untouched", () => {
    const body = sample('message.inbound.json') as { event: string; timestamp: string; data: Record<string, unknown> };
    assert.deepEqual(accepted(body), { event: 'message.inbound', timestamp: '2025-12-23T11:16:55.943Z', data: body.data });
  });

  it('accepts every sample in samples/', () => {
    for (const file of fs.readdirSync(SAMPLES).filter((f) => f.endsWith('.json'))) {
      assert.equal(parseEnvelope(sample(file)).ok, true, file);
    }
  });

  it('accepts other dotted event names in any case and microsecond timestamps', () => {
    for (const event of ['room.solved', 'contact.update', 'Message.Inbound', 'contact.tag_added', 'a.b.c']) {
      assert.equal(accepted({ ...valid, event }).event, event);
    }
    assert.equal(accepted({ ...valid, timestamp: '2026-01-10T08:00:00.000000Z' }).timestamp, '2026-01-10T08:00:00.000000Z');
  });

  it('rejects a body that is not a JSON object with one problem saying so', () => {
    for (const body of [null, undefined, 'message.inbound', 42, true, [], [valid]]) {
      const list = problems(parseEnvelope(body));
      assert.equal(list.length, 1, JSON.stringify(body));
      assert.match(list[0], /body must be a JSON object/);
    }
  });

  it('reports a missing or malformed event name', () => {
    for (const event of [
      undefined,
      null,
      7,
      '',
      'message',
      'message inbound',
      '.inbound',
      'message.',
      '1message.inbound',
      'message..inbound',
      ['message.inbound'],
    ]) {
      const list = problems(parseEnvelope({ ...valid, event }));
      assert.equal(list.length, 1, JSON.stringify(event));
      assert.match(list[0], /"event"/);
    }
  });

  it('reports a missing or unparseable timestamp (strings only)', () => {
    for (const timestamp of [undefined, null, '', 'yesterday', '2025-13-45T99:99:99Z', 1766488615943]) {
      const list = problems(parseEnvelope({ ...valid, timestamp }));
      assert.equal(list.length, 1, JSON.stringify(timestamp));
      assert.match(list[0], /"timestamp"/);
    }
  });

  it('reports data that is not an object (arrays included)', () => {
    for (const data of [undefined, null, 'x', 3, [], [{ id: '1' }]]) {
      const list = problems(parseEnvelope({ ...valid, data }));
      assert.equal(list.length, 1, JSON.stringify(data));
      assert.match(list[0], /"data"/);
    }
  });

  it('lists every problem at once', () => {
    const list = problems(parseEnvelope({ event: 'nope', timestamp: 'later', data: [] }));
    assert.equal(list.length, 3);
    assert.ok(list.some((p) => p.includes('"event"')));
    assert.ok(list.some((p) => p.includes('"timestamp"')));
    assert.ok(list.some((p) => p.includes('"data"')));
    assert.equal(problems(parseEnvelope({})).length, 3);
    assert.equal(problems(parseEnvelope({ event: 'message.inbound', timestamp: 'x' })).length, 2);
  });
});

describe('eventKind', () => {
  it('delivers inbound and outbound messages in any case', () => {
    for (const event of ['message.inbound', 'message.outbound', 'MESSAGE.INBOUND', 'Message.Outbound']) {
      assert.equal(eventKind(event), 'message', event);
    }
  });

  it('keeps every contact.* event in any case', () => {
    for (const event of ['contact.create', 'contact.update', 'contact.tag_added', 'Contact.Update']) {
      assert.equal(eventKind(event), 'contact', event);
    }
  });

  it('ignores everything else', () => {
    for (const event of ['room.solved', 'message.updated', 'message.inbound.extra', 'contacts.update', 'contact', 'inbound.message']) {
      assert.equal(eventKind(event), 'ignored', event);
    }
  });
});

describe('dataId', () => {
  it('uses a string id, trimmed', () => {
    assert.equal(dataId({ id: 'abc' }), 'abc');
    assert.equal(dataId({ id: '  abc \n' }), 'abc');
  });

  it('uses a finite number id as a string', () => {
    assert.equal(dataId({ id: 42 }), '42');
    assert.equal(dataId({ id: 0 }), '0');
  });

  it('has no id for blank, missing or non-scalar ids', () => {
    for (const id of ['', '   ', undefined, null, true, {}, ['1'], Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.equal(dataId({ id }), null, JSON.stringify(id) ?? 'undefined');
    }
    assert.equal(dataId({}), null);
  });
});

describe('readMessage', () => {
  function read(file: string) {
    const { event, data } = accepted(sample(file));
    return readMessage(event, data);
  }

  it("reads klink's inbound sample", () => {
    assert.deepEqual(read('message.inbound.json'), {
      id: '39206a79-bc74-40c3-9dca-823f13cb7026',
      type: 'text',
      direction: 'inbound',
      text: 'thanks. ill think about it first',
      createdAt: '2025-12-23T11:16:52.949Z',
      contactId: '050823aa-8443-4fed-9951-f58d3b18c4eb',
      roomId: '1f13f5d8-e426-42c7-9ce1-f50862f21965',
      room: { isGroup: true, isAiAgentRoom: true, channelType: 'whatsapp', channelName: 'klink.cloud WA', unreadCount: 5 },
    });
  });

  it('reads the outbound sample as outbound', () => {
    assert.equal(read('message.outbound.json').direction, 'outbound');
  });

  it('takes "outbound" from the event name even when direction says otherwise', () => {
    assert.equal(readMessage('message.outbound', { id: '1' }).direction, 'outbound');
    assert.equal(readMessage('MESSAGE.OUTBOUND', { id: '1', direction: 'incoming' }).direction, 'outbound');
  });

  it('takes "outbound" from direction "outgoing" / "outbound" in any case on a message.inbound event', () => {
    for (const direction of ['outgoing', 'OUTGOING', 'Outbound']) {
      assert.equal(readMessage('message.inbound', { id: '1', direction }).direction, 'outbound', direction);
    }
  });

  it('is inbound otherwise', () => {
    for (const direction of ['incoming', 'inbound', '', 'sideways', undefined, 1]) {
      assert.equal(readMessage('message.inbound', { id: '1', direction }).direction, 'inbound', String(direction));
    }
  });

  it('defaults everything that is missing', () => {
    assert.deepEqual(readMessage('message.inbound', {}), {
      id: '',
      type: 'text',
      direction: 'inbound',
      text: '',
      createdAt: '',
      contactId: '',
      roomId: '',
      room: { isGroup: false, isAiAgentRoom: false, channelType: 'unknown', channelName: '', unreadCount: 0 },
    });
  });

  it('defaults the room when it or its channel is not an object', () => {
    const defaults = { isGroup: false, isAiAgentRoom: false, channelType: 'unknown', channelName: '', unreadCount: 0 };
    for (const room of [undefined, null, 'room', [], 5]) {
      assert.deepEqual(readMessage('message.inbound', { id: '1', room }).room, defaults, JSON.stringify(room));
    }
    assert.deepEqual(readMessage('message.inbound', { id: '1', room: { channel: 'whatsapp' } }).room, defaults);
  });

  it('takes only real booleans as isGroup / isAiAgentRoom', () => {
    const room = readMessage('message.inbound', { id: '1', room: { isGroup: 'true', isAiAgentRoom: 1 } }).room;
    assert.equal(room.isGroup, false);
    assert.equal(room.isAiAgentRoom, false);
  });

  it('lower-cases the channel type and the message type, and keeps unknown types', () => {
    const message = readMessage('message.inbound', { id: '1', type: 'STICKER', room: { channel: { type: 'WhatsApp', name: 'Main WA' } } });
    assert.equal(message.type, 'sticker');
    assert.equal(message.room.channelType, 'whatsapp');
    assert.equal(message.room.channelName, 'Main WA');
  });

  it('counts unread messages as a non-negative whole number', () => {
    const unread = (unreadCount: unknown) => readMessage('message.inbound', { id: '1', room: { unreadCount } }).room.unreadCount;
    assert.equal(unread(3), 3);
    assert.equal(unread(0), 0);
    assert.equal(unread(3.7), 3);
    assert.equal(unread(-1), 0);
    assert.equal(unread('5'), 0);
    assert.equal(unread(null), 0);
    assert.equal(unread(Number.NaN), 0);
  });

  it('reads numbers as ids and text', () => {
    const message = readMessage('message.inbound', { id: 101, contactId: 202, roomId: 303, message: 42, createdAt: 7 });
    assert.equal(message.id, '101');
    assert.equal(message.contactId, '202');
    assert.equal(message.roomId, '303');
    assert.equal(message.text, '42');
    assert.equal(message.createdAt, '7');
  });

  it('trims the id like dataId', () => {
    assert.equal(readMessage('message.inbound', { id: ' m-1 ' }).id, 'm-1');
  });
});

describe('readContact', () => {
  it("reads klink's contact sample", () => {
    const { data } = accepted(sample('contact.update.json'));
    assert.deepEqual(readContact(data), {
      id: 'a0cad4e8-c23b-426d-95fe-75d02325d943',
      name: 'John',
      tags: ['VIP'],
      updatedAt: '2026-01-10T08:00:00.000000Z',
    });
  });

  it('reads tags given as objects or strings, trimmed, de-duplicated, blanks and junk dropped, in order', () => {
    const contact = readContact({
      id: 'c1',
      tags: [{ name: 'VIP' }, 'gold', ' VIP ', { name: '' }, '   ', { id: 'no-name' }, null, 5, ['x'], { name: ' gold' }, 'silver'],
    });
    assert.deepEqual(contact.tags, ['VIP', 'gold', 'silver']);
  });

  it('has no tags when tags is not an array', () => {
    for (const tags of [undefined, null, 'VIP', { name: 'VIP' }]) {
      assert.deepEqual(readContact({ id: 'c1', tags }).tags, [], JSON.stringify(tags));
    }
  });

  it('trims the name and the id', () => {
    const contact = readContact({ id: ' c1 ', name: '  Aung Aung ' });
    assert.equal(contact.id, 'c1');
    assert.equal(contact.name, 'Aung Aung');
  });

  it('keeps a valid updatedAt as sent and drops an invalid one', () => {
    assert.equal(readContact({ id: 'c1', updatedAt: '2026-01-10T08:00:00Z' }).updatedAt, '2026-01-10T08:00:00Z');
    for (const updatedAt of [undefined, null, '', 'yesterday', {}, true]) {
      assert.equal(readContact({ id: 'c1', updatedAt }).updatedAt, null, JSON.stringify(updatedAt));
    }
  });

  it('defaults a contact without fields', () => {
    assert.deepEqual(readContact({}), { id: '', name: '', tags: [], updatedAt: null });
  });
});
