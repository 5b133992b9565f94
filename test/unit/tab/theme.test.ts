/** Teams theme names → Fluent UI themes. */
import assert from 'node:assert/strict';
import { teamsDarkTheme, teamsHighContrastTheme, teamsLightTheme } from '@fluentui/tokens';
import { fluentTheme, themeKind } from '../../../tab/src/logic/theme';

describe('tab theme', () => {
  it("maps Teams' theme names to the Teams Fluent themes, light for anything else", () => {
    assert.equal(fluentTheme('default'), teamsLightTheme);
    assert.equal(fluentTheme('dark'), teamsDarkTheme);
    assert.equal(fluentTheme('contrast'), teamsHighContrastTheme);
    assert.equal(fluentTheme(undefined), teamsLightTheme);
    assert.equal(fluentTheme('sepia'), teamsLightTheme);
    assert.deepEqual(['default', 'dark', 'contrast', ''].map(themeKind), ['light', 'dark', 'contrast', 'light']);
  });

  it('paints dark backgrounds dark and light ones light', () => {
    assert.notEqual(teamsDarkTheme.colorNeutralBackground1, teamsLightTheme.colorNeutralBackground1);
    assert.equal(fluentTheme('dark').colorNeutralForeground1, teamsDarkTheme.colorNeutralForeground1);
  });
});
