import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { api, ApiError, errorMessage, unwrap } from '../api/client';
import { SESSION_QUERY_KEY } from './SessionProvider';
import { notify } from '../ui/notify';

/** Sign out of this session, or of every session of the user; then the sign-in page. */
export function useSignOut() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: async (scope: 'here' | 'everywhere') => {
      if (scope === 'everywhere') {
        const { revokedSessions } = await unwrap(api.POST('/v1/auth/sign-out-everywhere'));
        return revokedSessions;
      }
      await unwrap(api.POST('/v1/auth/sign-out'));
      return 1;
    },
    onSuccess: (count, scope) => {
      // Not queryClient.clear(): the mounted session observer would keep showing the removed query's user.
      queryClient.setQueryData(SESSION_QUERY_KEY, null);
      queryClient.removeQueries({ predicate: (entry) => entry.queryKey[0] !== 'auth' || entry.queryKey[1] === 'ended' });
      if (scope === 'everywhere') notify({ message: `Signed out of ${count} session${count === 1 ? '' : 's'}` });
      void navigate('/sign-in', { replace: true });
    },
    onError: (error) => {
      // A session that already ended (401) is as signed out as it gets: the sign-in page says why.
      if (error instanceof ApiError && error.status === 401) {
        queryClient.setQueryData(SESSION_QUERY_KEY, null);
        void navigate('/sign-in', { replace: true });
        return;
      }
      notify({ color: 'red', title: 'Sign-out failed', message: errorMessage(error) });
    },
  });
}
