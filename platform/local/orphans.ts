import fs from 'node:fs';
import { parentPidOf } from './procStat';

function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * A previous `npm start` that was killed with SIGKILL leaves its servers running with no parent.
 * When `pid` is such an orphan running `command`, stop it (and wait); when it is alive with a
 * parent, it belongs to a running hub: refuse. Returns what it found.
 */
export async function reclaimOrphan(pid: number, command: string, describe: string, log: (line: string) => void): Promise<'none' | 'reclaimed'> {
  const parent = parentPidOf(pid);
  if (parent === undefined || !commandOf(pid).includes(command)) return 'none';
  if (parent !== 1) throw new Error(`${describe} is already running (pid ${pid}); is another npm start running?`);
  log(`${describe}: stopping an orphan (pid ${pid}) left by a previous run`);
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 30_000;
  while (parentPidOf(pid) !== undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  if (parentPidOf(pid) !== undefined) process.kill(pid, 'SIGKILL');
  return 'reclaimed';
}
