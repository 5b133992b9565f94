import assert from 'node:assert/strict';
import { consentRequiredCard } from '../../../src/cards/consent-required-card';
import { assertValidCard, cardTexts } from '../../support/validate-card';

describe('consentRequiredCard', () => {
  it('explains that nothing was saved and links to admin consent', () => {
    const url = 'https://klink-teams.example.com/admin/consent?tenant=bbbbbbbb-0000-4000-8000-00000000000b';
    const card = consentRequiredCard({ consentUrl: url });
    assertValidCard(card);
    assert.ok(cardTexts(card).some((t) => t.includes('Nothing was saved')));
    assert.deepEqual(card.actions, [{ type: 'Action.OpenUrl', title: 'Grant admin consent', url }]);
  });

  it('says whom to ask when no consent link is configured', () => {
    const card = consentRequiredCard({ consentUrl: null });
    assertValidCard(card);
    assert.deepEqual(card.actions ?? [], []);
    assert.ok(cardTexts(card).some((t) => t.includes('Ask the team that runs klink for Teams')));
  });
});
