import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { ResponseBody } from '../../api/types';

/** Under 'auth', so the console's "session ended" handling keeps it (it probes, it is not data). */
export const OPERATOR_SESSION_KEY = ['auth', 'operator'] as const;

export type OperatorSessionAnswer = ResponseBody<'/v1/admin/sessions/current', 'get'>;

/** The operator session the browser holds (its cookie is HttpOnly), with the CSRF token for changes. */
export function useOperatorSession() {
  return useQuery({ queryKey: OPERATOR_SESSION_KEY, queryFn: () => unwrap(api.GET('/v1/admin/sessions/current')), staleTime: Infinity, retry: false });
}

/** The header every operator change sends: the operator cookie is refused for changes without it. */
export function useOperatorHeaders(): { 'X-CSRF-Token': string } {
  const { data } = useOperatorSession();
  return { 'X-CSRF-Token': data?.csrfToken ?? '' };
}
