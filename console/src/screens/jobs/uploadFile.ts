import { ApiError, csrfToken, type ApiErrorBody } from '../../api/client';
import type { ResponseBody } from '../../api/types';

/** What `POST /v1/uploads` answers: the stored file's id, size, SHA-256 and sniffed type. */
export type Upload = ResponseBody<'/v1/uploads', 'post'>['upload'];

/**
 * Uploads a file as `POST /v1/uploads` (multipart, part `file`), reporting the bytes sent.
 * XMLHttpRequest rather than openapi-fetch: fetch reports no upload progress.
 */
export function uploadFile(file: File, onProgress: (fraction: number) => void): Promise<Upload> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', '/v1/uploads');
    request.withCredentials = true;
    const token = csrfToken();
    if (token) request.setRequestHeader('X-CSRF-Token', token);
    request.responseType = 'json';
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      if (request.status === 201) {
        onProgress(1);
        resolve((request.response as ResponseBody<'/v1/uploads', 'post'>).upload);
        return;
      }
      const body = request.response as Partial<ApiErrorBody> | null;
      reject(new ApiError(request.status, body?.error?.code ?? `HTTP_${request.status}`, body?.error?.message ?? request.statusText, body?.error?.details));
    };
    request.onerror = () => reject(new Error('The upload failed: the connection to the hub dropped'));
    const form = new FormData();
    form.append('file', file, file.name);
    request.send(form);
  });
}
