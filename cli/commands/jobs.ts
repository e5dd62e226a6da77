import { SingleBar } from 'cli-progress';
import { type Command } from 'commander';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { type HubClient } from '../client';
import { printObject, printRows } from '../output';

interface Job {
  id: string;
  kind: string;
  status: string;
  workflowId: string;
  temporalUiUrl: string;
  progress: { phase?: string; done: number; total: number | null; state?: string } | null;
  result: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
  createdAt: string;
}

const FINISHED = new Set(['completed', 'completed_with_errors', 'failed', 'cancelled']);

/** `--param a=1 --param filter.from=2026-01-01` → `{ a: 1, filter: { from: '2026-01-01' } }` (values parsed as JSON when they are). */
export function parseParams(pairs: string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const pair of pairs) {
    const index = pair.indexOf('=');
    if (index <= 0) throw new Error(`--param needs key=value, got "${pair}"`);
    const keys = pair.slice(0, index).split('.');
    const raw = pair.slice(index + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    let target = params;
    for (const key of keys.slice(0, -1)) target = (target[key] ??= {}) as Record<string, unknown>;
    target[keys.at(-1)!] = value;
  }
  return params;
}

/** Polls a job until it finishes, drawing a progress bar on a terminal. */
export async function watchJob(client: HubClient, id: string, options: { json?: boolean; intervalMs?: number }): Promise<Job> {
  const interactive = process.stderr.isTTY && !options.json;
  const bar = interactive ? new SingleBar({ format: ' {phase} [{bar}] {percentage}% | {value}/{total} | {state}', hideCursor: true }, undefined) : undefined;
  let started = false;
  for (;;) {
    const { job } = await client.request<{ job: Job }>('GET', `/v1/jobs/${id}`);
    const progress = job.progress ?? { done: 0, total: null };
    const total = progress.total ?? Math.max(progress.done, 1);
    const payload = { phase: progress.phase ?? job.status, state: progress.state ?? job.status };
    if (bar) {
      if (!started) bar.start(total, progress.done, payload);
      else {
        bar.setTotal(total);
        bar.update(progress.done, payload);
      }
      started = true;
    } else if (!options.json) {
      process.stderr.write(`${job.status} ${payload.phase} ${progress.done}/${progress.total ?? '?'}\n`);
    }
    if (FINISHED.has(job.status)) {
      bar?.stop();
      return job;
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 1_000));
  }
}

/** Exit code of a finished job: 0 completed, 2 completed with some items failed, 1 otherwise. */
export function exitCodeOf(status: string): number {
  return status === 'completed' ? 0 : status === 'completed_with_errors' ? 2 : 1;
}

function summarize(job: Job, json?: boolean): void {
  printObject(
    json
      ? (job as unknown as Record<string, unknown>)
      : { id: job.id, kind: job.kind, status: job.status, result: job.result, error: job.error, workflowId: job.workflowId, temporalUiUrl: job.temporalUiUrl },
    { json },
  );
}

/** `hub jobs …`: start, watch, list, cancel and download jobs. */
export function registerJobCommands(program: Command, client: () => HubClient): void {
  const jobs = program.command('jobs').description('bulk jobs (POST /v1/jobs)');

  jobs
    .command('start <kind>')
    .description('start a job (--file uploads its input first); --watch follows it to the end')
    .option(
      '-p, --param <key=value>',
      'a job parameter (repeatable; dotted keys nest, values parse as JSON when they can)',
      (value, all: string[]) => [...all, value],
      [],
    )
    .option('-f, --file <path>', 'upload this file first (POST /v1/uploads) and pass its id as the uploadId parameter')
    .option('--watch', 'follow the job with a progress bar until it finishes')
    .option('--json', 'print JSON')
    .action(async (kind: string, options: { param: string[]; file?: string; watch?: boolean; json?: boolean }) => {
      const params = parseParams(options.param);
      if (options.file) {
        const upload = await client().upload(options.file);
        if (!options.json) process.stderr.write(`uploaded ${upload.name} (${upload.size} bytes, sha256 ${upload.sha256})\n`);
        params.uploadId = upload.id;
      }
      const { job } = await client().request<{ job: Job }>('POST', '/v1/jobs', { body: { kind, params } });
      if (!options.watch) return summarize(job, options.json);
      const done = await watchJob(client(), job.id, options);
      summarize(done, options.json);
      process.exitCode = exitCodeOf(done.status);
    });

  jobs
    .command('watch <id>')
    .description('follow a job with a progress bar until it finishes (exit code 0 completed, 2 completed with errors, 1 otherwise)')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const done = await watchJob(client(), id, options);
      summarize(done, options.json);
      process.exitCode = exitCodeOf(done.status);
    });

  jobs
    .command('list')
    .description('list jobs, newest first')
    .option('--kind <kind>')
    .option('--status <status>')
    .option('--limit <n>', 'page size', '25')
    .option('--json', 'print JSON')
    .action(async (options: { kind?: string; status?: string; limit: string; json?: boolean }) => {
      const query = new URLSearchParams({
        limit: options.limit,
        ...(options.kind ? { kind: options.kind } : {}),
        ...(options.status ? { status: options.status } : {}),
      });
      const { data } = await client().request<{ data: Job[] }>('GET', `/v1/jobs?${query}`);
      printRows(
        data.map((job) => ({ ...job, progress: job.progress ? `${job.progress.done}/${job.progress.total ?? '?'}` : '' })),
        ['id', 'kind', 'status', 'progress', 'createdAt'],
        options,
      );
    });

  jobs
    .command('cancel <id>')
    .description('stop a job at its next batch boundary')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const { job } = await client().request<{ job: Job }>('POST', `/v1/jobs/${id}/cancel`);
      summarize(job, options.json);
    });

  jobs
    .command('download <id>')
    .description("save a job's output file (to the name the server suggests, e.g. users-1a2b3c4d.csv, in the current directory)")
    .option('-o, --output <path>', 'where to write it instead')
    .action(async (id: string, options: { output?: string }) => {
      // `npm run hub` runs in the project root; INIT_CWD is where the user typed the command.
      const here = process.env.INIT_CWD ?? process.cwd();
      const chosen = options.output === undefined ? undefined : path.resolve(here, options.output);
      const temporary = path.join(chosen ? path.dirname(chosen) : here, `.hub-job-${id}.partial`);
      let downloaded: { name?: string; bytes: number };
      const stream = fs.createWriteStream(temporary);
      const failed = new Promise<never>((_resolve, reject) => stream.once('error', reject));
      failed.catch(() => undefined);
      try {
        downloaded = await Promise.race([
          client().download(`/v1/jobs/${id}/download`, async (chunk) => {
            if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), failed]);
          }),
          failed,
        ]);
        await Promise.race([new Promise<void>((resolve) => stream.end(resolve)), failed]);
      } catch (error) {
        // A failed download leaves nothing behind.
        stream.destroy();
        fs.rmSync(temporary, { force: true });
        throw error;
      }
      const suggested = downloaded.name ? path.basename(downloaded.name) : '';
      const target = chosen ?? path.join(here, suggested && suggested !== '.' && suggested !== '..' ? suggested : `hub-job-${id}`);
      fs.renameSync(temporary, target);
      process.stderr.write(`wrote ${path.relative(here, target) || target} (${downloaded.bytes} bytes)\n`);
    });
}
