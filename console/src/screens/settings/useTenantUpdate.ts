import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { RequestBody } from '../../api/types';

/** PATCH /v1/tenant (a JSON merge patch of the settings); on success the tenant query holds the answer. */
export function useTenantUpdate(what: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: RequestBody<'/v1/tenant', 'patch'>) => unwrap(api.PATCH('/v1/tenant', { body })),
    onSuccess: (answer) => {
      queryClient.setQueryData(['tenant'], answer);
      notifications.show({ color: 'green', title: 'Saved', message: `${what} saved.`, closeButtonProps: { 'aria-label': 'Dismiss notification' } });
    },
  });
}
