/**
 * Asks the server what the builder's words mean (POST …/filters/check), debounced while the user
 * is still choosing, and only for the latest words.
 */
import { useEffect, useState } from 'react';
import type { ApiResult } from '../logic/api-client';
import type { FilterCheck } from '../logic/api-types';
import { useShared } from './api-context';

const DEBOUNCE_MS = 350;

export interface CheckState {
  /** The words the result is for. */
  words: string;
  result: ApiResult<FilterCheck> | null;
}

export function useFilterCheck(conversationId: string, words: string): CheckState {
  const { api, generation } = useShared();
  const [state, setState] = useState<CheckState>({ words: '', result: null });
  useEffect(() => {
    if (words === '') return;
    let live = true;
    const timer = setTimeout(() => {
      void api.checkFilters(conversationId, words).then((result) => {
        if (live) setState({ words, result });
      });
    }, DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, conversationId, words, generation]);
  return state;
}
