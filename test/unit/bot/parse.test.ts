import assert from 'node:assert/strict';
import { type Command, parseCommand, parseFilterText } from '../../../src/bot/commands/parse';
import { emptyFilters, type Filters } from '../../../src/subscriptions/filters';

function command(text: string): Command {
  const result = parseCommand(text);
  if (!result.ok) assert.fail(`"${text}" was rejected: ${result.error.problem}`);
  return result.command;
}

function filters(text: string): Filters {
  const c = command(text);
  assert.equal(c.kind, 'subscribe');
  return (c as { filters: Filters }).filters;
}

function rejected(text: string) {
  const result = parseCommand(text);
  assert.equal(result.ok, false, `"${text}" should be rejected`);
  return (result as { error: { problem: string; suggestion?: string } }).error;
}

describe('parseCommand', () => {
  it('reads "subscribe whatsapp vip" with mention markup, a leading slash and any case', () => {
    const expected = { ...emptyFilters(), channels: ['whatsapp'], vip: true };
    assert.deepEqual(filters('subscribe whatsapp vip'), expected);
    assert.deepEqual(filters('<at>klink</at> /Subscribe  WhatsApp&nbsp;VIP '), expected);
    assert.deepEqual(filters('sub whatsapp vip'), expected);
  });

  it('knows every filter kind of the grammar', () => {
    assert.deepEqual(
      filters(
        'subscribe whatsapp facebook channel:TikTok vip tag:gold tag:"big spender" "refund please" keyword:invoice outbound group ai unread>=3 room:r1 contact:c1',
      ),
      {
        channels: ['whatsapp', 'messenger', 'tiktok'],
        vip: true,
        tags: ['gold', 'big spender'],
        keywords: ['refund please', 'invoice'],
        direction: 'outbound',
        group: true,
        ai: true,
        minUnread: 3,
        rooms: ['r1'],
        contacts: ['c1'],
      },
    );
  });

  it('treats several words of one kind as any of them', () => {
    assert.equal(filters('subscribe inbound outbound').direction, 'both');
    assert.equal(filters('subscribe both').direction, 'both');
    assert.equal(filters('subscribe group direct').group, undefined);
    assert.equal(filters('subscribe human').ai, false);
    assert.equal(filters('subscribe direct').group, false);
    assert.equal(filters('subscribe webchat').channels[0], 'livechat');
  });

  it('accepts curly quotes for phrases', () => {
    assert.deepEqual(filters('subscribe “need help”').keywords, ['need help']);
  });

  it('subscribes to everything only when asked with "all"', () => {
    assert.deepEqual(filters('subscribe all'), emptyFilters());
    assert.match(rejected('subscribe').problem, /what to subscribe to/);
    assert.match(rejected('subscribe all whatsapp').problem, /"all" cannot be combined/);
  });

  it('rejects unknown words with a did-you-mean and never falls back', () => {
    const typo = rejected('subscribe whatsap vip');
    assert.match(typo.problem, /"whatsap"/);
    assert.equal(typo.suggestion, 'Did you mean "whatsapp"?');
    assert.equal(rejected('subscribe tga:gold').suggestion, 'Did you mean "tag:gold"?');
    assert.equal(rejected('subscribe unred>=2').suggestion, 'Did you mean "unread>=2"?');
    assert.equal(rejected('subscrbe whatsapp').suggestion, 'Did you mean "subscribe"?');
    assert.match(rejected('subscribe xyzzy').problem, /"xyzzy"/);
    assert.match(rejected('subscribe unread>=lots').problem, /whole number/);
    assert.match(rejected('subscribe tag:').problem, /needs a value/);
    assert.match(rejected('subscribe "unclosed').problem, /quote is not closed/);
  });

  it('reads unsubscribe by number, several numbers, all, or filters', () => {
    assert.deepEqual(command('unsubscribe 2'), { kind: 'unsubscribe', target: { kind: 'numbers', numbers: [2] } });
    assert.deepEqual(command('unsub #1 3'), { kind: 'unsubscribe', target: { kind: 'numbers', numbers: [1, 3] } });
    assert.deepEqual(command('unsubscribe all'), { kind: 'unsubscribe', target: { kind: 'all' } });
    const byFilters = command('unsubscribe whatsapp vip');
    assert.equal(byFilters.kind === 'unsubscribe' && byFilters.target.kind, 'filters');
    assert.match(rejected('unsubscribe').problem, /which subscription/);
    assert.match(rejected('unsubscribe 0').problem, /not a list of subscription numbers/);
    assert.match(rejected('unsubscribe 2x').problem, /not a list of subscription numbers/);
  });

  it('reads list and help in all their spellings', () => {
    for (const text of ['subscriptions', 'list', 'subscribe list', '/SUBSCRIPTIONS']) assert.deepEqual(command(text), { kind: 'list' });
    assert.deepEqual(command('help'), { kind: 'help' });
    assert.deepEqual(command('<at>klink</at>'), { kind: 'help' });
    assert.match(rejected('subscriptions please').problem, /takes no further words/);
  });
});

describe('parseFilterText (the tab sends the filter words alone)', () => {
  it('gives the same filters as the subscribe command', () => {
    const result = parseFilterText('WhatsApp vip tag:"gold member" unread>=2');
    assert.ok(result.ok);
    assert.deepEqual(result.filters, filters('subscribe WhatsApp vip tag:"gold member" unread>=2'));
  });

  it('lists every problem, one bad word not hiding the next, each once', () => {
    const result = parseFilterText('whatsap vip tag: whatsap all');
    assert.ok(!result.ok);
    assert.deepEqual(
      result.problems.map((p) => p.problem),
      ['I don\'t know the word "whatsap".', '"tag:" needs a value, e.g. tag:gold.'],
    );
    assert.equal(result.problems[0].suggestion, 'Did you mean "whatsapp"?');
  });

  it('refuses nothing to subscribe to, an unclosed quote, and "all" with other words', () => {
    for (const [text, problem] of [
      ['  ', /Say what to subscribe to/],
      ['"vip', /quote is not closed/],
      ['all whatsapp', /"all" cannot be combined/],
    ] as const) {
      const result = parseFilterText(text);
      assert.ok(!result.ok, text);
      assert.match(result.problems.map((p) => p.problem).join(' '), problem);
    }
  });
});
