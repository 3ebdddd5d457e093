// Proof that a program spawns no process: run it under `strace -f` from its first instruction and list every
// process-creating system call (fork, vfork, clone without CLONE_THREAD, execve) with its time.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Program } from './processes';

export interface ProcessEvent {
  /** Unix seconds. */
  at: number;
  pid: number;
  call: string;
}

/** Process-creating events in an `strace -f -ttt` log; clones that create threads are not processes. */
export function processEvents(log: string): ProcessEvent[] {
  return log
    .split('\n')
    .map((line) => /^(\d+)\s+(\d+\.\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), at: Number(m[2]), call: m[3] ?? '' }))
    .filter(({ call }) => /^(execve|fork|vfork|clone3?)\(/.test(call) && !call.includes('CLONE_THREAD'));
}

/** Live children of a process, from /proc/<pid>/task/<tid>/children (any thread can be a parent). */
export function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number),
    );
  } catch {
    return [];
  }
}

export interface TracedProgram extends Program {
  /** The traced program's own pid (strace's child). */
  tracedPid(): number;
  /** Stops the traced program (SIGTERM, then SIGKILL) and waits for strace to finish its log. */
  stopTraced(): Promise<void>;
}

/** Starts `node main` under strace, writing the trace to `traceFile`; stop it with `stopTraced()`. */
export function startTraced(
  strace: string,
  name: string,
  main: string,
  env: Record<string, string>,
  traceFile: string,
): TracedProgram {
  const child = spawn(
    strace,
    [
      ...[
        '-f',
        '-ttt',
        '-qq',
        // Whole argument strings (strace cuts them at 32 characters), so the exec of main shows its path.
        '-s',
        '4096',
        '-e',
        'trace=execve,fork,vfork,clone,clone3',
        '-e',
        'signal=none',
        '-o',
        traceFile,
      ],
      process.execPath,
      main,
    ],
    { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const program = new Program(name, child);
  // Signalling strace would only detach it and leave the program running: signal the program itself.
  const tracedPid = () => childrenOf(child.pid ?? 0)[0] ?? 0;
  const stopTraced = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const pid = tracedPid();
    if (pid) process.kill(pid, 'SIGTERM');
    const timer = setTimeout(() => {
      if (pid) process.kill(pid, 'SIGKILL');
      child.kill('SIGKILL');
    }, 5_000);
    await program.exited;
    clearTimeout(timer);
  };
  return Object.assign(program, { tracedPid, stopTraced });
}
