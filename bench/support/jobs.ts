/** Polls a job through the API until it finishes; answers the job. */
export async function waitForJob(
  apiUrl: string,
  key: string,
  jobId: string,
  timeoutMs = 600_000,
): Promise<{ id: string; status: string; result: Record<string, unknown> | null; error: unknown }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${apiUrl}/v1/jobs/${jobId}`, { headers: { 'X-API-Key': key } });
    const { job } = (await response.json()) as { job: { id: string; status: string; result: Record<string, unknown> | null; error: unknown } };
    if (['completed', 'failed', 'cancelled'].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Starts a job through the API; answers its id. */
export async function startBenchJob(apiUrl: string, key: string, kind: string, params: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${apiUrl}/v1/jobs`, {
    method: 'POST',
    headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
    body: JSON.stringify({ kind, params }),
  });
  if (response.status !== 202) throw new Error(`start ${kind}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { job: { id: string } }).job.id;
}
