import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { RequestBody } from '../../api/types';
import { notify } from '../../ui/notify';

/** PATCH /v1/tenant (a JSON merge patch of the settings); on success the tenant query holds the answer. */
export function useTenantUpdate(what: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: RequestBody<'/v1/tenant', 'patch'>) => unwrap(api.PATCH('/v1/tenant', { body })),
    onSuccess: (answer) => {
      queryClient.setQueryData(['tenant'], answer);
      notify({ title: 'Saved', message: `${what} saved.` });
    },
  });
}
