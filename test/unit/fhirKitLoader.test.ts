import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadFhirKit } from '../../connectors/fhir/fhirKit';

const root = path.resolve(__dirname, '..', '..');

describe('loading the ESM-only fhir-kit-client from CommonJS', () => {
  it('works under jest (CommonJS mode, swc)', async () => {
    const { Client } = await loadFhirKit();
    expect(new Client({ baseUrl: 'https://fhir.example.test/R4' }).baseUrl).toBe('https://fhir.example.test/R4');
  });

  it('works under tsx, as the worker runs it', async () => {
    const script =
      "require('./connectors/fhir/fhirKit.ts').loadFhirKit().then((m) => console.log(typeof m.Client, new m.Client({ baseUrl: 'https://x.test' }).baseUrl))";
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, timeout: 60_000 });
    expect(stdout.trim()).toBe('function https://x.test');
  });
});
