import { execFile } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { createApp } from '../../api/app';
import { type ControlPlane } from '../../api/controlPlane';
import { loadConfig } from '../../platform/config';
import { type Database } from '../../platform/db';
import { createLogger } from '../../platform/logger';
import { createMetrics } from '../../platform/metrics';

const root = path.resolve(__dirname, '..', '..');

/** Type-checks `source` next to the generated `api.d.ts`; answers the error messages. */
function typeErrors(dir: string, source: string): string[] {
  const file = path.join(dir, `program-${Math.random().toString(36).slice(2)}.ts`);
  fs.writeFileSync(file, source);
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    skipLibCheck: true,
    types: [],
  });
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}

/**
 * A client generated from the served /openapi.json (openapi-typescript) must be usable as is: a
 * request the server accepts compiles, and a value outside an enum of the server does not.
 */
describe('a typed client generated from /openapi.json', () => {
  let server: Server;
  let dir: string;

  beforeAll(async () => {
    // Serving /openapi.json touches none of these dependencies.
    const app = createApp({
      config: loadConfig({ NODE_ENV: 'test' }),
      db: {} as Database,
      temporal: {} as never,
      logger: createLogger({ name: 'openapi-client-test', level: 'silent' }),
      metrics: createMetrics({ defaultMetrics: false }),
      controlPlane: {} as ControlPlane,
      files: {} as never,
      vault: {} as never,
    });
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-openapi-client-'));
    const document = await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/openapi.json`)).text();
    fs.writeFileSync(path.join(dir, 'openapi.json'), document);
    // openapi-typescript is an ES module with a CLI: run it as a client project would.
    await promisify(execFile)(process.execPath, [path.join(root, 'node_modules/openapi-typescript/bin/cli.js'), 'openapi.json', '--output', 'api.d.ts'], {
      cwd: dir,
    });
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const header = `import type { paths } from './api';
type Body<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
`;

  it('compiles requests the server accepts, typed by the document', () => {
    const errors = typeErrors(
      dir,
      `${header}
const connector: Body<'/v1/connectors', 'post'> = {
  type: 'salesforce',
  name: 'CRM',
  config: { instanceUrl: 'https://acme.my.salesforce.com' },
  credentials: { accessToken: 'token' },
};
const user: Body<'/v1/users/{id}', 'patch'> = { role: 'viewer' };
const schedule: Body<'/v1/connectors/{id}/schedule', 'put'> = { every: '15m' };
type Created = paths['/v1/connectors']['post']['responses'][201]['content']['application/json'];
const id: string = ({} as Created).connector.id;
type Refused = paths['/v1/connectors']['post']['responses'][400]['content']['application/json'];
const code: string = ({} as Refused).error.code;
export { connector, user, schedule, id, code };
`,
    );
    expect(errors).toEqual([]);
  });

  it.each([
    [
      'a connector type the server does not know',
      `const body: Body<'/v1/connectors', 'post'> = { type: 'salesforse', name: 'x', config: {}, credentials: {} };`,
    ],
    [
      "a Salesforce connector without the type's required config",
      `const body: Body<'/v1/connectors', 'post'> = { type: 'salesforce', name: 'x', config: {}, credentials: { accessToken: 't' } };`,
    ],
    ['a role outside the enum', `const body: Body<'/v1/users', 'post'> = { email: 'a@example.test', name: 'A', role: 'owner' };`],
    ['an unknown field of a strict body', `const body: Body<'/v1/webhooks', 'post'> = { url: 'https://example.test', events: ['job.failed'], secret: 'x' };`],
  ])('refuses %s', (_, statement) => {
    expect(typeErrors(dir, `${header}${statement}\nexport { body };\n`).length).toBeGreaterThan(0);
  });
});
