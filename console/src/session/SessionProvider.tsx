import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useMemo, type ReactNode } from 'react';
import { api, ApiError, onSessionEnded, unwrap } from '../api/client';
import type { ResponseBody } from '../api/types';
import { roleAtLeast, type Role } from './roles';

type SessionAnswer = ResponseBody<'/v1/auth/session', 'get'>;

/** Who is signed in, as the console's screens see it. */
export interface ConsoleSession {
  user: SessionAnswer['user'];
  session: SessionAnswer['session'];
  /** True when the role may use a control (hide or disable it otherwise). */
  can(required: Role): boolean;
}

interface SessionState {
  /** undefined while the first probe runs, null when nobody is signed in. */
  current: ConsoleSession | null | undefined;
  /** Why the last session ended (SESSION_EXPIRED…), for the sign-in page to say. */
  endedBecause?: string;
  refresh(): Promise<void>;
}

const SessionContext = createContext<SessionState | undefined>(undefined);
export const SESSION_QUERY_KEY = ['auth', 'session'] as const;

/** The session, or null when nobody is signed in; `onEnded` hears why a cookie the browser still held no longer works. */
async function probeSession(onEnded: (code: string) => void): Promise<SessionAnswer | null> {
  try {
    return await unwrap(api.GET('/v1/auth/session'));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      // UNAUTHENTICATED means no cookie at all (never signed in, or signed out here): nothing to explain.
      if (error.code === 'SESSION_EXPIRED') onEnded(error.code);
      return null;
    }
    throw error;
  }
}

/** Loads the session once (`GET /v1/auth/session`) and drops it when any call answers 401. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: SESSION_QUERY_KEY,
    queryFn: () => probeSession((code) => queryClient.setQueryData(['auth', 'ended'], code)),
    staleTime: Infinity,
    retry: false,
  });

  useEffect(
    () =>
      onSessionEnded((code) => {
        queryClient.setQueryData(SESSION_QUERY_KEY, null);
        queryClient.setQueryData(['auth', 'ended'], code);
        queryClient.removeQueries({ predicate: (entry) => entry.queryKey[0] !== 'auth' });
      }),
    [queryClient],
  );

  const state = useMemo<SessionState>(() => {
    const answer = query.data;
    const current =
      answer === undefined
        ? undefined
        : answer === null
          ? null
          : { user: answer.user, session: answer.session, can: (required: Role) => roleAtLeast(answer.user.role, required) };
    return {
      current: query.isError ? null : current,
      endedBecause: queryClient.getQueryData<string>(['auth', 'ended']),
      refresh: async () => {
        await queryClient.invalidateQueries({ queryKey: SESSION_QUERY_KEY });
      },
    };
  }, [query.data, query.isError, queryClient]);

  return <SessionContext.Provider value={state}>{children}</SessionContext.Provider>;
}

/** The session state; only inside SessionProvider. */
export function useSessionState(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSessionState outside SessionProvider');
  return state;
}

/** The signed-in user; only on screens behind RequireSession. */
export function useSession(): ConsoleSession {
  const { current } = useSessionState();
  if (!current) throw new Error('useSession on a screen without a session');
  return current;
}
