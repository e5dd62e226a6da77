import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import http from 'node:http';
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { XMLParser } from 'fast-xml-parser';
import pdfParse from 'pdf-parse/lib/pdf-parse.js';
import { pdfRowsPerPage } from '../../activities/exports/documents';
import { startScanPeer } from '../peers/scan/scanPeer';
import { registerScanConnector } from '../support/connectorFactories';
import { useHub, useStarted } from '../support/harness';
import { eventually } from '../support/eventually';

/** A user id of this file's own (the file also runs in the s3 project, at the same time, on the same database). */
const KNOWN_USER_ID = randomUUID();

const SCAN_KEY = 'export-formats-scan-key';

/** Every export format parses back with a standard parser to the dataset's row count. */
describe('jobs: export formats and datasets', () => {
  const scanPeer = useStarted(() => startScanPeer({ port: 0, apiKey: SCAN_KEY }));
  const logLines: Array<{ level: number; msg: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) logLines.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  });
  const { hub, tenant, owner } = useHub({ env: { LOG_LEVEL: 'info' }, logDestination: sink, tenants: [{ plan: 'enterprise' }] });
  const USERS = 1_201; // 1,200 seeded + the tenant's admin

  beforeAll(async () => {
    await hub.request('PATCH', '/v1/tenant', {
      key: tenant.key,
      body: { branding: { companyName: 'Acme Health', primaryColor: '#aa2244', secondaryColor: '#223344' } },
    });
    await owner.raw(
      `insert into users (id, tenant_id, email, name, role, status)
       select gen_random_uuid(), ?, 'fmt' || n || '@example.test', case when n = 7 then '=cmd|'' /C calc''!A0' else 'User <' || n || '> & co' end, 'member', 'active'
         from generate_series(1, 1199) n`,
      [tenant.id],
    );
    await owner('users').insert({
      id: KNOWN_USER_ID,
      tenant_id: tenant.id,
      email: 'control@example.test',
      name: 'Bell\u0007 and tab\t',
      role: 'viewer',
      status: 'active',
    });
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
        return bytes
          .toString('utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as Record<string, unknown>);
      case 'xml': {
        const document = new XMLParser({ isArray: (name) => name === 'row', parseTagValue: false }).parse(bytes.toString('utf8')) as {
          rows: { row?: Array<Record<string, unknown>> };
        };
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
    expect(contentType).toContain(
      { csv: 'text/csv', json: 'application/json', ndjson: 'application/x-ndjson', xml: 'application/xml', xlsx: 'spreadsheetml' }[format]!,
    );
  });

  it('users as a branded PDF report: heading with time, filters and count, page x of y, whole cells, rows by name', async () => {
    const before = Date.now();
    const { bytes, contentType } = await exportOf('users', 'pdf');
    expect(contentType).toBe('application/pdf');
    const parsed = await pdfParse(bytes);
    const pages = Math.ceil(USERS / pdfRowsPerPage());
    expect(parsed.numpages).toBe(pages);
    expect(parsed.text).toContain('Acme Health');
    expect(parsed.text).toContain('Acme Health: users export');
    const generated = /Generated (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC · filters: none · 1,201 rows · sorted by name, email/.exec(parsed.text);
    expect(generated).not.toBeNull();
    expect(Date.parse(`${generated![1]!.replace(' ', 'T')}Z`)).toBeGreaterThanOrEqual(Math.floor(before / 1_000) * 1_000);
    expect(parsed.text).toContain(`page 1 of ${pages}`);
    expect(parsed.text).toContain(`page ${pages} of ${pages}`);
    // Columns are as wide as their content: ids, e-mails and timestamps appear whole, nothing is cut.
    expect(parsed.text).not.toContain('…');
    expect(parsed.text).toContain(KNOWN_USER_ID);
    const [createdAt] = (await owner('users').where({ id: KNOWN_USER_ID }).pluck('created_at')) as Date[];
    expect(parsed.text).toContain(createdAt!.toISOString());
    // By name, numbers in names in numeric order (not by id).
    const positions = ['User <1> & co', 'User <2> & co', 'User <10> & co', 'User <100> & co', 'User <1000> & co'].map((name) => parsed.text.indexOf(name));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('a filtered PDF says so; a wide dataset (audit log) keeps ids and hashes whole', async () => {
    const started = await hub.request('POST', '/v1/jobs', {
      key: tenant.key,
      body: { kind: 'export', params: { dataset: 'users', format: 'pdf', filter: { role: 'member' } } },
    });
    expect(started.status).toBe(202);
    const filtered = await eventually(
      async () => {
        const response = await hub.request('GET', `/v1/jobs/${started.body.job.id}`, { key: tenant.key });
        return response.body.job.status === 'completed' ? response.body.job : undefined;
      },
      90_000,
      'the filtered PDF export',
    );
    const filteredText = (
      await pdfParse(Buffer.from(await (await fetch(`${hub.url}/v1/jobs/${filtered.id}/download`, { headers: { 'X-API-Key': tenant.key } })).arrayBuffer()))
    ).text;
    // (A one-page PDF would do, but pdf-parse's pdf.js misreads the cross-reference table of some tiny files.)
    expect(filteredText).toContain('filters: role = member · 1,199 rows ·');
    expect(filteredText).toContain(`page 1 of ${Math.ceil(1_199 / pdfRowsPerPage())}`);

    // Rows written before the export starts are all in it (its own download comes later).
    const audit = (await owner('audit_log').where({ tenant_id: tenant.id }).orderBy('seq').select('hash', 'request_id', 'occurred_at')) as Array<{
      hash: string;
      request_id: string | null;
      occurred_at: Date;
    }>;
    expect(audit.length).toBeGreaterThan(0);
    const { bytes } = await exportOf('audit_logs', 'pdf');
    const text = (await pdfParse(bytes)).text.replace(/\n/g, '');
    for (const row of audit) {
      expect(text).toContain(row.hash);
      expect(text).toContain(row.occurred_at.toISOString());
      if (row.request_id) expect(text).toContain(row.request_id);
    }
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
    await owner.raw(
      `insert into records (tenant_id, connector_id, stream, external_id, data, data_hash, change_seq) select tenant_id, connector_id, 'bulk', 'bulk-' || n, '{}', 'x', n from (select tenant_id, connector_id from records where tenant_id = ? limit 1) r, generate_series(1, 20000) n`,
      [tenant.id],
    );
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
    let large: { id: string } | undefined;
    for (const format of ['json', 'csv']) {
      const exported = await exportOf('records', format);
      expect(await parsedRows(format, exported.bytes)).toHaveLength(22_500);
      large = exported.job;
    }

    // A client hanging up mid-download is routine: an info line, no error.
    const errorsBefore = logLines.filter((line) => line.level >= 50).length;
    await new Promise<void>((resolve, reject) => {
      const request = http.get(`${hub.url}/v1/jobs/${large!.id}/download`, { headers: { 'X-API-Key': tenant.key } }, (response) => {
        expect(response.statusCode).toBe(200);
        // Read one chunk, then hang up while the server still has megabytes to send.
        response.once('data', () => {
          request.destroy();
          resolve();
        });
      });
      request.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
    });
    await eventually(
      () => (logLines.some((line) => line.msg === 'client closed the connection during a download') ? true : undefined),
      10_000,
      'the hang-up to be logged',
    );
    const hangUp = logLines.find((line) => line.msg === 'client closed the connection during a download')!;
    expect(hangUp.level).toBe(30);
    expect(logLines.filter((line) => line.level >= 50).slice(errorsBefore)).toEqual([]);
  });
});
