// The processes of a control plane: started with their output in a log file each, recorded by pid and start time
// so that another process (`npm run cluster -- down`) can stop exactly them later and never a recycled pid.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Program } from '../support/processes';

/** What identifies a started process for as long as it lives: its pid and its start time since boot. */
export interface ComponentRecord {
  name: string;
  pid: number;
  /** Field 22 of /proc/<pid>/stat: a pid reused by another process has another start time. */
  startTime: string;
  log: string;
}

export interface Component extends ComponentRecord {
  program: Program;
}

export interface SpawnOptions {
  dir: string;
  env: Record<string, string>;
  /**
   * false: the process gets SIGKILL when this one dies (setpriv --pdeathsig), so a crashed test run leaves
   * nothing behind. true: it is detached into its own session and outlives this process.
   */
  persistent: boolean;
  /** setpriv, needed when not persistent. */
  setpriv?: string;
}

/** The start time of a live process; undefined once it is gone or a zombie (which a parent may never reap). */
function startTimeOf(pid: number): string | undefined {
  try {
    // The command name (field 2) may hold spaces and parentheses; the fields after its closing ')' do not.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ...fields] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return state === 'Z' || state === 'X' ? undefined : fields[18];
  } catch {
    return undefined;
  }
}

/** True while the recorded process (not merely some process with its pid) runs. */
export function isRunning(record: ComponentRecord): boolean {
  return startTimeOf(record.pid) === record.startTime;
}

/** Resident memory in bytes (VmRSS), or undefined when the recorded process is gone. */
export function residentBytes(record: ComponentRecord): number | undefined {
  try {
    const status = readFileSync(`/proc/${record.pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
    return isRunning(record) && kib ? Number(kib) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The last lines of a log file, for error messages. */
export function logTail(path: string, lines = 25): string {
  try {
    const text = readFileSync(path, 'utf8').trimEnd();
    return text === '' ? '(empty)' : text.split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export function spawnComponent(
  name: string,
  binary: string,
  args: string[],
  options: SpawnOptions,
): Component {
  const log = join(options.dir, `${name}.log`);
  const fd = openSync(log, 'a');
  const [command, commandArgs] = options.persistent
    ? [binary, args]
    : [options.setpriv ?? 'setpriv', ['--pdeathsig', 'SIGKILL', '--', binary, ...args]];
  const child = spawn(command, commandArgs, {
    env: options.env,
    stdio: ['ignore', fd, fd],
    detached: options.persistent,
  });
  closeSync(fd);
  const startTime = child.pid === undefined ? undefined : startTimeOf(child.pid);
  if (child.pid === undefined || startTime === undefined) {
    throw new Error(`${name} did not start (${command}); ${logTail(log)}`);
  }
  if (options.persistent) child.unref();
  return { name, pid: child.pid, startTime, log, program: new Program(name, child) };
}

/**
 * Stops recorded processes that may not be children of this one: SIGTERM, then SIGKILL to those still running
 * after graceMs; resolves once all are gone. A record whose pid now belongs to another process is left alone.
 */
export async function stopRecorded(records: readonly ComponentRecord[], graceMs = 5_000): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    for (const record of records.filter(isRunning)) {
      try {
        process.kill(record.pid, name);
      } catch {
        // It exited in between.
      }
    }
  };
  const deadline = async (ms: number) => {
    for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) {
      if (!records.some(isRunning)) return true;
    }
    return !records.some(isRunning);
  };
  signal('SIGTERM');
  if (await deadline(graceMs)) return;
  signal('SIGKILL');
  if (!(await deadline(5_000))) {
    const left = records.filter(isRunning).map((r) => `${r.name} (${r.pid})`);
    throw new Error(`still running after SIGKILL: ${left.join(', ')}`);
  }
}
