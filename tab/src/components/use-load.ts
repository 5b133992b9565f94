/**
 * Loads one API answer for a section, again on every refresh; keeps the last answer on screen
 * while the next one loads, and ignores answers that arrive after a newer request was made.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiResult, TabApi } from '../logic/api-client';
import { useShared } from './api-context';

export interface Loaded<T> {
  result: ApiResult<T> | null;
  loading: boolean;
  reload: () => void;
}

export function useLoad<T>(load: (api: TabApi) => Promise<ApiResult<T>>, key: string): Loaded<T> {
  const { api, generation } = useShared();
  const [result, setResult] = useState<ApiResult<T> | null>(null);
  const [loading, setLoading] = useState(true);
  const [again, setAgain] = useState(0);
  const latest = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const request = ++latest.current;
    setLoading(true);
    void loadRef.current(api).then((answer) => {
      if (request !== latest.current) return;
      setResult(answer);
      setLoading(false);
    });
  }, [api, generation, again, key]);

  const reload = useCallback(() => setAgain((n) => n + 1), []);
  return { result, loading, reload };
}
