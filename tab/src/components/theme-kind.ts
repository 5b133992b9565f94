/** The Teams theme the page shows now (light, dark, contrast), for parts Fluent does not paint, such as the card preview. */
import { createContext, useContext } from 'react';
import type { ThemeKind } from '../logic/theme';

export const ThemeKindContext = createContext<ThemeKind>('light');

export function useThemeKind(): ThemeKind {
  return useContext(ThemeKindContext);
}
