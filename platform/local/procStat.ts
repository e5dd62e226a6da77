import fs from 'node:fs';

/**
 * The fields of `/proc/<pid>/stat` after the command name (Linux): index 0 is field 3 (state),
 * index 1 the parent pid, 11 and 12 user and system time in clock ticks. Undefined when the
 * process is gone or there is no /proc. The command name may hold spaces and parentheses, so the
 * fields start after its last closing parenthesis.
 */
export function procStatFields(pid: number): string[] | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The parent pid of a live process, or undefined when it is gone (or unknown). */
export function parentPidOf(pid: number): number | undefined {
  const fields = procStatFields(pid);
  return fields ? Number(fields[1]) : undefined;
}
