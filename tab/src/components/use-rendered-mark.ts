/**
 * Marks, once, the moment a page first shows its data (`performance.mark('klink:rendered')`), so
 * its first-render time can be measured from navigation start in a browser.
 */
import { useEffect } from 'react';

export const RENDERED_MARK = 'klink:rendered';

export function useRenderedMark(ready: boolean): void {
  useEffect(() => {
    if (ready && performance.getEntriesByName(RENDERED_MARK).length === 0) performance.mark(RENDERED_MARK);
  }, [ready]);
}
