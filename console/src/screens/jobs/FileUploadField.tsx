import { FileInput, Progress, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { errorMessage } from '../../api/client';
import { formatNumber } from '../../ui/format';
import { uploadFile, type Upload } from './uploadFile';

/**
 * Picks a file and uploads it at once (`POST /v1/uploads`) with a progress bar; the form starts
 * its job with the upload's id.
 */
export function FileUploadField({
  label,
  description,
  accept,
  error,
  onUploaded,
}: {
  label: string;
  description: string;
  accept: string;
  error?: string;
  onUploaded: (upload: Upload | null) => void;
}) {
  const [progress, setProgress] = useState<number | null>(null);
  const [upload, setUpload] = useState<Upload | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const choose = async (file: File | null) => {
    setUpload(null);
    setFailure(null);
    onUploaded(null);
    if (!file) return setProgress(null);
    setProgress(0);
    try {
      const stored = await uploadFile(file, setProgress);
      setUpload(stored);
      onUploaded(stored);
    } catch (caught) {
      setFailure(errorMessage(caught));
      setProgress(null);
    }
  };

  return (
    <Stack gap={4}>
      <FileInput
        label={label}
        description={description}
        accept={accept}
        placeholder="Choose a file"
        clearable
        clearButtonProps={{ 'aria-label': `Clear ${label}` }}
        withAsterisk
        onChange={(file) => void choose(file)}
        error={failure ?? error}
      />
      {progress !== null && !upload && <Progress value={progress * 100} aria-label={`Uploading ${label}`} animated />}
      {upload && (
        <Text size="sm" data-testid="upload-done">
          Uploaded {upload.name} ({formatNumber(upload.size)} bytes, {upload.contentType})
        </Text>
      )}
    </Stack>
  );
}
