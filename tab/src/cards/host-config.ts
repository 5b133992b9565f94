/**
 * Adaptive Cards host configs close to Teams' own (Segoe UI, Teams' font sizes and colours, 1.5
 * schema), light and dark, so the preview looks like the card the channel will get.
 */
import type { ThemeKind } from '../logic/theme';

const SIZES = { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 };

function foregrounds(dark: boolean) {
  const color = (normal: string, subtle: string) => ({ default: normal, subtle });
  return dark
    ? {
        default: color('#FFFFFF', '#ADADAD'),
        dark: color('#ADADAD', '#8A8A8A'),
        light: color('#FFFFFF', '#D6D6D6'),
        accent: color('#7F85F5', '#7F85F5'),
        good: color('#92C353', '#92C353'),
        warning: color('#F8D22A', '#F8D22A'),
        attention: color('#F9526B', '#F9526B'),
      }
    : {
        default: color('#242424', '#616161'),
        dark: color('#242424', '#424242'),
        light: color('#FFFFFF', '#F0F0F0'),
        accent: color('#5B5FC7', '#5B5FC7'),
        good: color('#237B4B', '#237B4B'),
        warning: color('#835C00', '#835C00'),
        attention: color('#C4314B', '#C4314B'),
      };
}

export function teamsHostConfig(kind: ThemeKind): object {
  const dark = kind !== 'light';
  const fg = foregrounds(dark);
  const style = (backgroundColor: string) => ({ backgroundColor, foregroundColors: fg });
  return {
    supportsInteractivity: true,
    fontFamily: "'Segoe UI', 'Helvetica Neue', sans-serif",
    spacing: { small: 8, default: 12, medium: 16, large: 20, extraLarge: 24, padding: 16 },
    separator: { lineThickness: 1, lineColor: dark ? '#3D3D3D' : '#E0E0E0' },
    fontTypes: {
      default: {
        fontFamily: "'Segoe UI', 'Helvetica Neue', sans-serif",
        fontSizes: SIZES,
        fontWeights: { lighter: 300, default: 400, bolder: 600 },
      },
      monospace: {
        fontFamily: "Consolas, 'Courier New', monospace",
        fontSizes: SIZES,
        fontWeights: { lighter: 300, default: 400, bolder: 600 },
      },
    },
    containerStyles: dark
      ? {
          default: style('#292929'),
          emphasis: style('#1F1F1F'),
          accent: style('#2F2F4A'),
          good: style('#0D2E0D'),
          attention: style('#3E1F25'),
          warning: style('#463100'),
        }
      : {
          default: style('#FFFFFF'),
          emphasis: style('#F5F5F5'),
          accent: style('#E8EBFA'),
          good: style('#E7F2DA'),
          attention: style('#FCF4F6'),
          warning: style('#FBF6D9'),
        },
    imageSizes: { small: 32, medium: 52, large: 100 },
    actions: {
      maxActions: 6,
      spacing: 'default',
      buttonSpacing: 8,
      showCard: { actionMode: 'inline', inlineTopMargin: 16 },
      actionsOrientation: 'horizontal',
      actionAlignment: 'left',
    },
    adaptiveCard: { allowCustomStyle: true },
    factSet: {
      title: { color: 'default', size: 'default', isSubtle: false, weight: 'bolder', wrap: true, maxWidth: 150 },
      value: { color: 'default', size: 'default', isSubtle: false, weight: 'default', wrap: true },
      spacing: 12,
    },
  };
}
