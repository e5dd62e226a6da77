import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Runs a command to completion; rejects with its stderr tail when it fails. */
export function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs ?? 600_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const tail = String(stderr || stdout)
            .trim()
            .split('\n')
            .slice(-5)
            .join(' | ');
          reject(new Error(`${command} ${args.join(' ')} failed: ${tail || error.message}`));
        } else {
          resolve(String(stdout));
        }
      },
    );
  });
}

/** Finds an executable on PATH (like `command -v`). */
export function which(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** First line a binary prints for `--version`, or undefined when it cannot run. */
export function versionOf(binary: string, args: string[] = ['--version']): string | undefined {
  const result = spawnSync(binary, args, { encoding: 'utf8', timeout: 20_000 });
  if (result.status !== 0) return undefined;
  return `${result.stdout}${result.stderr}`.trim().split('\n')[0];
}
