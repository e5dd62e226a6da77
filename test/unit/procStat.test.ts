import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parentPidOf, procStatFields } from '../../platform/local/procStat';

describe('procStat (/proc/<pid>/stat, as orphan reclaim, parent watch and the benchmarks read it)', () => {
  it("reads a live process's parent pid, also when its command name holds spaces and parentheses", async () => {
    expect(parentPidOf(process.pid)).toBe(process.ppid);
    // The kernel names a process after its executable's file: a copy of sleep called "s) (x y".
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'proc-stat-'));
    const executable = path.join(directory, 's) (x y');
    fs.copyFileSync(fs.realpathSync('/bin/sleep'), executable);
    fs.chmodSync(executable, 0o755);
    const child = spawn(executable, ['5'], { stdio: 'ignore' });
    try {
      await once(child, 'spawn');
      expect(fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8')).toContain('(s) (x y)');
      expect(parentPidOf(child.pid!)).toBe(process.pid);
      expect(procStatFields(child.pid!)?.[0]).toMatch(/^[RSD]$/);
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });

  it('answers undefined for a process that does not exist', () => {
    expect(procStatFields(2 ** 22 + 1)).toBeUndefined();
    expect(parentPidOf(2 ** 22 + 1)).toBeUndefined();
  });
});
