/**
 * Teams' theme names (`app.getContext().app.theme`, and the theme-change handler) and the Fluent
 * UI theme each one is shown with. Unknown names fall back to the light theme.
 */
import { type Theme, teamsDarkTheme, teamsHighContrastTheme, teamsLightTheme } from '@fluentui/tokens';

export type ThemeKind = 'light' | 'dark' | 'contrast';

export function themeKind(teamsTheme: string | undefined): ThemeKind {
  switch (teamsTheme) {
    case 'dark':
      return 'dark';
    case 'contrast':
      return 'contrast';
    default:
      return 'light';
  }
}

export function fluentTheme(teamsTheme: string | undefined): Theme {
  switch (themeKind(teamsTheme)) {
    case 'dark':
      return teamsDarkTheme;
    case 'contrast':
      return teamsHighContrastTheme;
    case 'light':
      return teamsLightTheme;
  }
}
