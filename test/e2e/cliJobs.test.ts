import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseParams } from '../../cli/commands/jobs';
import { useHub } from '../support/harness';
import { cleanEnv, exitOf, spawnEntry } from '../support/processes';

describe('hub CLI: jobs', () => {
  const { hub, tenant } = useHub({ tenants: [{}] });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-cli-'));
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** As `npm run hub -- …` typed in `dir`: npm runs the CLI in the project root with INIT_CWD set to `dir`. */
  async function hubCli(...args: string[]) {
    const cli = spawnEntry('cli/hub.ts', cleanEnv({ HUB_URL: hub.url, HUB_API_KEY: tenant.key, INIT_CWD: dir }), args);
    const { code } = await exitOf(cli);
    return { code, output: cli.output() };
  }

  it('starts an export, watches it to the end, lists it and downloads the file', async () => {
    const started = await hubCli('jobs', 'start', 'export', '--param', 'dataset=users', '--param', 'format=csv', '--watch', '--json');
    expect(started.code).toBe(0);
    const job = JSON.parse(started.output.slice(started.output.indexOf('{'))) as { id: string; status: string; result: { rows: number } };
    expect(job.status).toBe('completed');
    expect(job.result.rows).toBe(1);

    const listed = await hubCli('jobs', 'list', '--json');
    expect(JSON.parse(listed.output).map((row: { id: string }) => row.id)).toContain(job.id);

    const target = path.join(dir, 'users.csv');
    const downloaded = await hubCli('jobs', 'download', job.id, '-o', target);
    expect(downloaded.code).toBe(0);
    expect(fs.readFileSync(target, 'utf8').trim().split('\n')).toHaveLength(2);

    // Without -o: the server's name for it, in the directory the command was typed in.
    const named = await hubCli('jobs', 'download', job.id);
    expect(named.code).toBe(0);
    const expectedName = `users-${job.id.slice(0, 8)}.csv`;
    expect(named.output).toContain(`wrote ${expectedName}`);
    expect(fs.readFileSync(path.join(dir, expectedName), 'utf8').trim().split('\n')).toHaveLength(2);
    expect(fs.readdirSync(dir).filter((file) => file.endsWith('.partial'))).toEqual([]);
  });

  it('summarizes nested results in tables (--json has them whole)', async () => {
    const started = await hubCli('jobs', 'start', 'export', '--param', 'dataset=users', '--param', 'format=json', '--watch');
    expect(started.code).toBe(0);
    const table = started.output
      .replace(/\u001b\[\d+m/g, '')
      .split('\n')
      .filter((line) => line.includes('│'));
    const resultLine = table.find((line) => line.includes(' result '))!;
    for (const field of ['dataset=users', 'format=json', 'rows=1']) expect(resultLine).toContain(field);
    expect(resultLine).toMatch(/file=users-[0-9a-f]{8}\.json/);
    expect(resultLine).not.toContain('{"');
    // One short line per nested value (the widest cells left are URLs, kept whole to be clickable).
    for (const line of table.filter((row) => / (result|error) /.test(row))) expect(line.split('│')[2]!.trim().length).toBeLessThanOrEqual(72);
    expect(started.output).toContain('--json prints them whole');
  });

  it('leaves no file behind when a download fails', async () => {
    const unknownJob = '00000000-0000-4000-8000-000000000000';
    const failed = await hubCli('jobs', 'download', unknownJob);
    expect(failed.code).toBe(1);
    expect(failed.output).toMatch(/^hub: 404 /m);
    const intoMissingDirectory = await hubCli('jobs', 'download', unknownJob, '-o', 'out/file.csv');
    expect(intoMissingDirectory.code).toBe(1);
    expect(fs.readdirSync(dir).filter((file) => file.includes(unknownJob) || file.endsWith('.partial'))).toEqual([]);
  });

  it('uploads a file with --file and imports users from it', async () => {
    const source = path.join(dir, 'people.csv');
    fs.writeFileSync(source, 'email,name,role\ncli1@example.test,CLI One,member\ncli2@example.test,CLI Two,viewer\nbroken,Nope,member\n');
    const started = await hubCli('jobs', 'start', 'user_import', '--file', source, '--watch', '--json');
    // One row failed: the job completed with errors, and the exit code says so (2, not 0 or 1).
    expect(started.code).toBe(2);
    const job = JSON.parse(started.output.slice(started.output.indexOf('{'))) as {
      status: string;
      error: { code: string; message: string };
      result: { imported: number; failed: number; errors: Array<{ line: number }> };
    };
    expect(job).toMatchObject({
      status: 'completed_with_errors',
      error: { code: 'ITEMS_FAILED', message: expect.stringMatching(/^1 of 3 rows failed: line 4 email: /) },
      result: { imported: 2, failed: 1, errors: [{ line: 4 }] },
    });
    const users = await hub.request('GET', '/v1/users?limit=100', { key: tenant.key });
    expect(users.body.data.map((user: { email: string }) => user.email)).toEqual(expect.arrayContaining(['cli1@example.test', 'cli2@example.test']));

    const missing = await hubCli('jobs', 'start', 'user_import', '--file', path.join(dir, 'nope.csv'));
    expect(missing.code).toBe(1);
    expect(missing.output).toContain('nope.csv');
  });

  it('reports API errors in one line with the code and exits 1', async () => {
    const result = await hubCli('jobs', 'start', 'export', '--param', 'dataset=planets', '--param', 'format=csv');
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/^hub: 400 VALIDATION_FAILED: .*\n {2}body\.params\.dataset: /m);
  });

  it('parses dotted, typed parameters', () => {
    expect(parseParams(['dataset=users', 'filter.from=2026-01-01T00:00:00Z', 'limit=5', 'dryRun=true'])).toEqual({
      dataset: 'users',
      filter: { from: '2026-01-01T00:00:00Z' },
      limit: 5,
      dryRun: true,
    });
  });
});
