import { notify } from '../../ui/notify';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { JOB_KINDS, type StartJobBody } from './jobTypes';

/** Starts a job (`POST /v1/jobs`), refreshes the list and says so; the form shows a refusal inline. */
export function useStartJob(onStarted: () => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: StartJobBody) => unwrap(api.POST('/v1/jobs', { body })),
    onSuccess: async ({ job }) => {
      notify({ color: 'green', title: `${JOB_KINDS[job.kind as StartJobBody['kind']]?.label ?? job.kind} started`, message: `Job ${job.id}` });
      await queryClient.invalidateQueries({ queryKey: ['jobs'] });
      onStarted();
    },
  });
}
