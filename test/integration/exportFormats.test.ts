import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { XMLParser } from 'fast-xml-parser';
import pdfParse from 'pdf-parse/lib/pdf-parse.js';
import { pdfRowsPerPage } from '../../activities/exports/documents';
import { startScanPeer } from '../peers/scan/scanPeer';
import { registerScanConnector } from '../support/connectorFactories';
import { useHub, useStarted } from '../support/harness';
import { eventually } from '../support/eventually';

const SCAN_KEY = 'export-formats-scan-key';

/** Every export format parses back with a standard parser to the dataset's row count. */
describe('jobs: export formats and datasets', () => {
  const scanPeer = useStarted(() => startScanPeer({ port: 0, apiKey: SCAN_KEY }));
  const { hub, tenant, owner } = useHub({ tenants: [{ plan: 'enterprise' }] });
  const USERS = 1_201; // 1,200 seeded + the tenant's admin

  beforeAll(async () => {
    await hub.request('PATCH', '/v1/tenant', { key: tenant.key, body: { branding: { companyName: 'Acme Health', primaryColor: '#aa2244', secondaryColor: '#223344' } } });
    await owner.raw(
      `insert into users (id, tenant_id, email, name, role, status)
       select gen_random_uuid(), ?, 'fmt' || n || '@example.test', case when n = 7 then '=cmd|'' /C calc''!A0' else 'User <' || n || '> & co' end, 'member', 'active'
         from generate_series(1, 1199) n`,
      [tenant.id],
    );
    await owner('users').insert({ id: '00000000-0000-4000-8000-0000000000ff', tenant_id: tenant.id, email: 'control@example.test', name: 'Bell\u0007 and tab\t', role: 'viewer', status: 'active' });
    const connectorId = await registerScanConnector(hub, tenant, scanPeer, { apiKey: SCAN_KEY });
    await owner.raw(
      `insert into records (tenant_id, connector_id, stream, external_id, data, data_hash, change_seq)
       select ?, ?, case when n % 2 = 0 then 'patients' else 'medications' end, 'ext-' || n, jsonb_build_object('n', n, 'label', 'Record ' || n), md5(n::text), n
         from generate_series(1, 2500) n`,
      [tenant.id, connectorId],
    );
    await owner.raw(
      `insert into usage_events (id, tenant_id, kind, quantity, occurred_at, method, route, status, latency_ms)
       select gen_random_uuid(), ?, case when n % 3 = 0 then 'scan' else 'api_call' end, 1, now() - (n % 40) * interval '1 day', 'GET', '/v1/users', 200, 5
         from generate_series(1, 400) n`,
      [tenant.id],
    );
  });

  async function exportOf(dataset: string, format: string) {
    const started = await hub.request('POST', '/v1/jobs', { key: tenant.key, body: { kind: 'export', params: { dataset, format } } });
    expect(started.status).toBe(202);
    const job = await eventually(
      async () => {
        const response = await hub.request('GET', `/v1/jobs/${started.body.job.id}`, { key: tenant.key });
        return ['completed', 'failed', 'cancelled'].includes(response.body.job.status) ? response.body.job : undefined;
      },
      90_000,
      `export ${dataset} as ${format}`,
    );
    expect(job).toMatchObject({ status: 'completed', result: { dataset, format } });
    const response = await fetch(`${hub.url}/v1/jobs/${job.id}/download`, { headers: { 'X-API-Key': tenant.key } });
    expect(response.status).toBe(200);
    return { job, contentType: response.headers.get('content-type') ?? '', bytes: Buffer.from(await response.arrayBuffer()) };
  }

  /** Rows of an export, parsed back by the format's standard parser. */
  async function parsedRows(format: string, bytes: Buffer): Promise<Array<Record<string, unknown>>> {
    switch (format) {
      case 'csv':
        return parse(bytes, { columns: true }) as Array<Record<string, unknown>>;
      case 'json':
        return JSON.parse(bytes.toString('utf8')) as Array<Record<string, unknown>>;
      case 'ndjson':
        return bytes.toString('utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      case 'xml': {
        const document = new XMLParser({ isArray: (name) => name === 'row', parseTagValue: false }).parse(bytes.toString('utf8')) as { rows: { row?: Array<Record<string, unknown>> } };
        return document.rows.row ?? [];
      }
      case 'xlsx': {
        const workbook = new ExcelJS.Workbook();
        await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
        const sheet = workbook.worksheets[0]!;
        const header = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
        const rows: Array<Record<string, unknown>> = [];
        sheet.eachRow((row, number) => {
          if (number > 1) rows.push(Object.fromEntries(header.map((column, index) => [column, (row.values as unknown[])[index + 1]])));
        });
        return rows;
      }
      default:
        throw new Error(`no parser for ${format}`);
    }
  }

  it.each(['csv', 'json', 'ndjson', 'xml', 'xlsx'])('users as %s parse back to every row', async (format) => {
    const { job, bytes, contentType } = await exportOf('users', format);
    const rows = await parsedRows(format, bytes);
    expect(rows).toHaveLength(USERS);
    expect(job.result.rows).toBe(USERS);
    expect(new Set(rows.map((row) => row.email)).size).toBe(USERS);
    const risky = rows.find((row) => row.email === 'fmt7@example.test')!;
    // Only CSV needs formula escaping: XLSX cells are typed strings, JSON/XML are not executed.
    expect(risky.name).toBe(format === 'csv' ? `'=cmd|' /C calc'!A0` : `=cmd|' /C calc'!A0`);
    expect(rows.find((row) => row.email === 'fmt3@example.test')!.name).toBe('User <3> & co');
    expect(contentType).toContain({ csv: 'text/csv', json: 'application/json', ndjson: 'application/x-ndjson', xml: 'application/xml', xlsx: 'spreadsheetml' }[format]!);
  });

  it('users as a branded PDF report with one page per rows-per-page', async () => {
    const { bytes, contentType } = await exportOf('users', 'pdf');
    expect(contentType).toBe('application/pdf');
    const parsed = await pdfParse(bytes);
    expect(parsed.numpages).toBe(Math.ceil(USERS / pdfRowsPerPage()));
    expect(parsed.text).toContain('Acme Health');
    expect(parsed.text).toContain('fmt1@example.test');
    expect(parsed.text).toContain('Acme Health: users export');
  });

  it.each([
    ['records', 2_500],
    ['usage', 0],
  ])('the %s dataset exports as CSV and XLSX', async (dataset, expected) => {
    for (const format of ['csv', 'xlsx']) {
      const { job, bytes } = await exportOf(dataset, format);
      const rows = await parsedRows(format, bytes);
      expect(rows.length).toBe(job.result.rows);
      if (dataset === 'records') {
        expect(rows).toHaveLength(expected);
        expect(JSON.parse(String(rows.find((row) => row.external_id === 'ext-42')!.data))).toEqual({ n: 42, label: 'Record 42' });
      } else {
        // The seeded scans (n % 3 = 0 of 400) on 40 days; the test's own API calls are metered too.
        const scans = rows.filter((row) => row.kind === 'scan');
        expect(scans).toHaveLength(40);
        expect(scans.reduce((sum, row) => sum + Number(row.events), 0)).toBe(133);
        expect(rows.length).toBeGreaterThan(40);
      }
    }
  });

  it('refuses a PDF beyond its row limit with a clear error; larger exports span several slices', async () => {
    await owner.raw(`insert into records (tenant_id, connector_id, stream, external_id, data, data_hash, change_seq) select tenant_id, connector_id, 'bulk', 'bulk-' || n, '{}', 'x', n from (select tenant_id, connector_id from records where tenant_id = ? limit 1) r, generate_series(1, 20000) n`, [tenant.id]);
    const started = await hub.request('POST', '/v1/jobs', { key: tenant.key, body: { kind: 'export', params: { dataset: 'records', format: 'pdf' } } });
    const job = await eventually(
      async () => {
        const response = await hub.request('GET', `/v1/jobs/${started.body.job.id}`, { key: tenant.key });
        return response.body.job.status === 'failed' ? response.body.job : undefined;
      },
      60_000,
      'the PDF export to fail',
    );
    expect(job.error).toMatchObject({ code: 'ExportTooLarge', message: expect.stringContaining('at most 20000 rows') });

    // 22,500 records: parts are read in slices of 5,000, joined with the format's separator.
    for (const format of ['json', 'csv']) {
      const exported = await exportOf('records', format);
      expect(await parsedRows(format, exported.bytes)).toHaveLength(22_500);
    }
  });
});
