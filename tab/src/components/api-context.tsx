/**
 * The API client and the refresh signal the sections of a page share: `refresh()` after a change,
 * on the Refresh button, and whenever the tab comes back into view, so what `@klink` commands
 * changed meanwhile shows up.
 */
import { type ReactNode, createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { TabApi } from '../logic/api-client';
import { teamsToken } from '../teams/sso';

interface Shared {
  api: TabApi;
  generation: number;
  refresh: () => void;
}

const SharedContext = createContext<Shared | null>(null);

export function ApiProvider({ children }: { children: ReactNode }) {
  const api = useMemo(() => new TabApi(location.origin, teamsToken), []);
  const [generation, setGeneration] = useState(0);
  const refresh = useCallback(() => setGeneration((g) => g + 1), []);
  useEffect(() => {
    // Only a return counts: the first focus after loading would fetch everything twice.
    let away = false;
    const leave = () => void (away = true);
    const back = () => {
      if (!away || document.visibilityState !== 'visible') return;
      away = false;
      refresh();
    };
    const onVisibility = () => (document.visibilityState === 'hidden' ? leave() : back());
    window.addEventListener('blur', leave);
    window.addEventListener('focus', back);
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      window.removeEventListener('blur', leave);
      window.removeEventListener('focus', back);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [refresh]);
  const value = useMemo(() => ({ api, generation, refresh }), [api, generation, refresh]);
  return <SharedContext.Provider value={value}>{children}</SharedContext.Provider>;
}

export function useShared(): Shared {
  const shared = useContext(SharedContext);
  if (shared === null) throw new Error('useShared outside ApiProvider');
  return shared;
}
