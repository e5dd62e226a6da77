import { ApiError, csrfToken, type ApiErrorBody } from '../../api/client';
import type { ResponseBody } from '../../api/types';

/** What `POST /v1/uploads` answers for a stored file. */
export type StoredUpload = ResponseBody<'/v1/uploads', 'post'>['upload'];

/**
 * Uploads a file to `POST /v1/uploads` (multipart) reporting the bytes sent as they go: fetch has
 * no upload progress, so this is the console's one XMLHttpRequest. The answer is typed from the
 * generated schema; a refusal becomes an ApiError like any other call's.
 */
export function uploadWithProgress(file: File, onProgress: (sent: number, total: number) => void, signal?: AbortSignal): Promise<StoredUpload> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', '/v1/uploads');
    request.responseType = 'json';
    request.withCredentials = true;
    const token = csrfToken();
    if (token) request.setRequestHeader('X-CSRF-Token', token);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    };
    request.onload = () => {
      const body = request.response as (ResponseBody<'/v1/uploads', 'post'> & Partial<ApiErrorBody>) | null;
      if (request.status === 201 && body?.upload) {
        onProgress(file.size, file.size);
        resolve(body.upload);
        return;
      }
      reject(new ApiError(request.status, body?.error?.code ?? `HTTP_${request.status}`, body?.error?.message ?? request.statusText, body?.error?.details));
    };
    request.onerror = () => reject(new Error('The upload was interrupted (network error); try again'));
    request.onabort = () => reject(new Error('The upload was cancelled'));
    signal?.addEventListener('abort', () => request.abort(), { once: true });
    const form = new FormData();
    form.append('file', file, file.name);
    request.send(form);
  });
}
