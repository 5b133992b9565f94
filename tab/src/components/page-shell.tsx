/**
 * Every tab page's frame: connects to Teams (bounded), shows the page in Teams' theme (light,
 * dark, high contrast; switched live when the user changes it), and says "Open this in Microsoft
 * Teams" when the page is opened anywhere else.
 */
import { FluentProvider, MessageBar, MessageBarBody, MessageBarTitle, Spinner, makeStyles, tokens } from '@fluentui/react-components';
import { app } from '@microsoft/teams-js';
import { type ReactNode, StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { type Connection, connectToTeams } from '../teams/connect';
import { fluentTheme, themeKind } from '../logic/theme';
import { ThemeKindContext } from './theme-kind';

const useStyles = makeStyles({
  page: { minHeight: '100vh', boxSizing: 'border-box', padding: '16px 20px 32px', backgroundColor: tokens.colorNeutralBackground1 },
});

export function startPage(render: (context: app.Context) => ReactNode): void {
  const root = document.getElementById('root');
  if (root === null) throw new Error('the page has no #root element');
  createRoot(root).render(
    <StrictMode>
      <Shell render={render} />
    </StrictMode>,
  );
}

function Shell({ render }: { render: (context: app.Context) => ReactNode }) {
  const styles = useStyles();
  const [connection, setConnection] = useState<Connection | null>(null);
  const [theme, setTheme] = useState<string | undefined>(undefined);

  useEffect(() => {
    let live = true;
    void connectToTeams().then((answer) => {
      if (!live) return;
      setConnection(answer);
      if (!answer.ok) return;
      setTheme(answer.context.app.theme);
      app.registerOnThemeChangeHandler((name) => setTheme(name));
      void app.notifySuccess();
    });
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    document.documentElement.style.colorScheme = themeKind(theme) === 'light' ? 'light' : 'dark';
    document.body.style.backgroundColor = fluentTheme(theme).colorNeutralBackground1;
  }, [theme]);

  return (
    <FluentProvider theme={fluentTheme(theme)} className={styles.page} data-theme={themeKind(theme)}>
      {connection === null ? (
        <Spinner label="Connecting to Teams…" />
      ) : connection.ok ? (
        <ThemeKindContext.Provider value={themeKind(theme)}>{render(connection.context)}</ThemeKindContext.Provider>
      ) : (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>Open this in Microsoft Teams</MessageBarTitle>
            This is klink&apos;s tab: it works inside Microsoft Teams, where it knows your team or chat and signs you in. Add the klink app
            to a channel or chat in Teams and open the klink tab there. ({connection.reason})
          </MessageBarBody>
        </MessageBar>
      )}
    </FluentProvider>
  );
}
