import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { notify } from '../../ui/notify';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { JOB_KINDS, type Job, type JobKindName } from './jobTypes';

/** Confirms cancelling a running job (it stops at its next batch boundary and cleans its partial output). */
export function CancelJobModal({ job, onClose }: { job: Job | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const cancel = useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/v1/jobs/{id}/cancel', { params: { path: { id } } })),
    onSuccess: async () => {
      notify({ color: 'green', title: 'Cancellation requested', message: 'The job stops at its next batch boundary.' });
      await queryClient.invalidateQueries({ queryKey: ['jobs'] });
      onClose();
    },
  });
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={job !== null}
      onClose={() => {
        cancel.reset();
        onClose();
      }}
      title="Cancel this job?"
    >
      {job && (
        <Stack>
          <Text size="sm">
            The {JOB_KINDS[job.kind as JobKindName]?.label.toLowerCase() ?? job.kind} stops at its next batch boundary and its partial output is removed.
          </Text>
          <ErrorAlert error={cancel.error} title="The job was not cancelled" />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Keep running
            </Button>
            <Button color="red" loading={cancel.isPending} onClick={() => cancel.mutate(job.id)}>
              Cancel job
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
