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

  async function hubCli(...args: string[]) {
    const cli = spawnEntry('cli/hub.ts', cleanEnv({ HUB_URL: hub.url, HUB_API_KEY: tenant.key }), args);
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
  });

  it('uploads a file with --file and imports users from it', async () => {
    const source = path.join(dir, 'people.csv');
    fs.writeFileSync(source, 'email,name,role\ncli1@example.test,CLI One,member\ncli2@example.test,CLI Two,viewer\nbroken,Nope,member\n');
    const started = await hubCli('jobs', 'start', 'user_import', '--file', source, '--watch', '--json');
    expect(started.code).toBe(0);
    const job = JSON.parse(started.output.slice(started.output.indexOf('{'))) as { status: string; result: { imported: number; failed: number; errors: Array<{ line: number }> } };
    expect(job).toMatchObject({ status: 'completed', result: { imported: 2, failed: 1, errors: [{ line: 4 }] } });
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
