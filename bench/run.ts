import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../platform/config';
import { startLocalStack } from '../platform/local/stack';
import { runMain } from '../platform/runMain';
import { apiLatency } from './benchmarks/apiLatency';
import { apiOverhead } from './benchmarks/apiOverhead';
import { authenticatedList } from './benchmarks/authenticatedList';
import { backupRestore } from './benchmarks/backupRestore';
import { billingBudget } from './benchmarks/billingBudget';
import { billingRun } from './benchmarks/billingRun';
import { connectorReads } from './benchmarks/connectorReads';
import { consoleSpeed } from './benchmarks/consoleSpeed';
import { declarativeRead } from './benchmarks/declarativeRead';
import { exportCsv } from './benchmarks/exportCsv';
import { salesforceRead } from './benchmarks/salesforceRead';
import { scaleOut } from './benchmarks/scaleOut';
import { syncThroughput } from './benchmarks/syncThroughput';
import { userImport } from './benchmarks/userImport';
import { webhookFanout } from './benchmarks/webhookFanout';
import { webhookSteady } from './benchmarks/webhookSteady';
import { workerTuningBench } from './benchmarks/workerTuning';
import { type Benchmark, type BenchReport, machineDescription, projectRoot } from './harness';

/** Every benchmark `npm run bench` knows, by name. */
const benchmarks: Benchmark[] = [
  apiOverhead,
  authenticatedList,
  apiLatency,
  salesforceRead,
  connectorReads,
  declarativeRead,
  syncThroughput,
  webhookFanout,
  webhookSteady,
  billingRun,
  billingBudget,
  userImport,
  exportCsv,
  backupRestore,
  consoleSpeed,
  scaleOut,
  workerTuningBench,
];

const resultsFile = path.join(projectRoot, 'bench', 'results.json');

/**
 * `npm run bench [name …]`: starts an ephemeral stack (or uses DATABASE_URL / TEMPORAL_ADDRESS),
 * runs the named benchmarks (all by default), prints a table and merges the results into
 * bench/results.json.
 */
runMain('bench', async () => {
  const requested = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const unknown = requested.filter((name) => !benchmarks.some((benchmark) => benchmark.name === name));
  if (unknown.length > 0) throw new Error(`unknown benchmark(s) ${unknown.join(', ')}; known: ${benchmarks.map((b) => b.name).join(', ')}`);
  const selected = requested.length > 0 ? benchmarks.filter((benchmark) => requested.includes(benchmark.name)) : benchmarks;

  const log = (line: string) => console.log(`[bench] ${line}`);
  const config = loadConfig();
  const stack = await startLocalStack({ config, profile: 'ephemeral', log });
  const env = { ...process.env, ...stack.env };
  const reports: Record<string, BenchReport & { description: string; ranAt: string }> = {};
  try {
    for (const benchmark of selected) {
      log(`running ${benchmark.name}: ${benchmark.description}`);
      const report = await benchmark.run({ env, log });
      reports[benchmark.name] = { ...report, description: benchmark.description, ranAt: new Date().toISOString() };
      printReport(benchmark.name, report);
    }
  } finally {
    await stack.stop();
  }

  const previous = fs.existsSync(resultsFile) ? (JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as { benchmarks?: Record<string, unknown> }) : {};
  const results = { machine: machineDescription(), benchmarks: { ...(previous.benchmarks ?? {}), ...reports } };
  fs.writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${path.relative(process.cwd(), resultsFile)}`);
});

function printReport(name: string, report: BenchReport): void {
  const columns = [...new Set(report.measurements.flatMap((measurement) => Object.keys(measurement.metrics)))];
  const rows = report.measurements.map((measurement) => [measurement.label, ...columns.map((column) => format(measurement.metrics[column]))]);
  const header = ['', ...columns];
  const widths = header.map((_, index) => Math.max(...[header, ...rows].map((row) => String(row[index] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!))).join('  ');
  console.log(`\n${name}`);
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  for (const ratio of report.ratios) {
    const verdict = ratio.target ? ` (target ${ratio.target}: ${ratio.met ? 'met' : 'NOT met'})` : '';
    console.log(`${ratio.name}: ${ratio.value.toFixed(3)}${verdict}`);
  }
  for (const note of report.notes ?? []) console.log(`  note: ${note}`);
  console.log('');
}

function format(value: number | undefined): string {
  if (value === undefined) return '';
  return Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 0);
}
