import fs from 'node:fs';
import path from 'node:path';
import { procStatFields } from '../../platform/local/procStat';
import { type BenchContext } from '../harness';

/** Linux reports process times in clock ticks of 1/100 s (USER_HZ). */
const MICROS_PER_TICK = 1e6 / 100;

/**
 * CPU time (µs, user + system) the bench stack's Postgres and Temporal dev server have used so far,
 * read from /proc: Postgres is its postmaster (pid from `postmaster.pid` in the stack's data
 * directory), the backends it reaped (its children's times) and the live ones; Temporal the
 * `temporal server start-dev` process listening on TEMPORAL_ADDRESS's port. Undefined where it
 * cannot be found (not Linux, a stack the bench did not start).
 */
export function stackCpuReader(context: BenchContext): { postgres(): number | undefined; temporal(): number | undefined } {
  const postmaster = postmasterPid(context);
  const temporalPid = temporalServerPid(context);
  return {
    postgres: () => (postmaster === undefined ? undefined : ownAndChildrenMicros(postmaster) + liveChildrenMicros(postmaster)),
    temporal: () => (temporalPid === undefined ? undefined : ownAndChildrenMicros(temporalPid)),
  };
}

function postmasterPid(context: BenchContext): number | undefined {
  const dataDir = context.env.HUB_DATA_DIR;
  if (!dataDir) return undefined;
  try {
    return Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
}

function temporalServerPid(context: BenchContext): number | undefined {
  const port = String(context.env.TEMPORAL_ADDRESS ?? '')
    .split(':')
    .at(-1);
  if (!port) return undefined;
  for (const pid of processIds()) {
    const command = commandLineOf(pid);
    if (command.includes('start-dev') && command.includes(`--port\0${port}\0`)) return pid;
  }
  return undefined;
}

function processIds(): number[] {
  try {
    return fs
      .readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
}

function commandLineOf(pid: number): string {
  try {
    return `${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')}\0`;
  } catch {
    return '';
  }
}

/** The process's own time and the time of the children it has reaped. */
function ownAndChildrenMicros(pid: number): number {
  const fields = procStatFields(pid);
  if (!fields) return 0;
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * MICROS_PER_TICK;
}

function liveChildrenMicros(parent: number): number {
  let total = 0;
  for (const pid of processIds()) {
    const fields = procStatFields(pid);
    if (fields && Number(fields[1]) === parent) total += (Number(fields[11]) + Number(fields[12])) * MICROS_PER_TICK;
  }
  return total;
}
