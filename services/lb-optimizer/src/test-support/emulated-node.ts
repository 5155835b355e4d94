import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One node of a test cluster emulated on this machine, for a real telemd to measure: a directory
 * given to telemd as `telemd_proc_mount`, whose `stat` holds the aggregate `cpu` line of a node of
 * `cores` cores on which only the node's member processes run. Busy time is the CPU time (utime +
 * stime, from /proc/<pid>/stat) the members used since they joined; idle time is the rest of the
 * node's capacity over the elapsed time. The file is rewritten every `refreshMs`.
 *
 * This is how a test makes one node busy and not the others although every "node" shares the same
 * two cores: it starts a CPU-burning process and adds it to the node. The load is real (a process
 * spinning), and so is its measurement path (/proc → telemd → the bus → the optimizer's context).
 */
export interface EmulatedNode {
  /** The directory to pass as `telemd_proc_mount`. */
  readonly procMount: string;
  /** Counts `pid`'s CPU time from now on as the node's. */
  addProcess(pid: number): void;
  /** Stops counting `pid` (its CPU time so far stays counted). */
  removeProcess(pid: number): void;
  stop(): void;
}

/** USER_HZ: the unit of /proc/<pid>/stat's and /proc/stat's times on Linux. */
const TICKS_PER_SECOND = 100;

export function emulateNode(dir: string, options: { cores?: number; refreshMs?: number } = {}): EmulatedNode {
  const cores = options.cores ?? 1;
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  const bootTime = Math.floor(Date.now() / 1000);
  /** pid → its CPU ticks when it joined; `done` holds the ticks of members that left or exited. */
  const members = new Map<number, { joined: number; last: number }>();
  let done = 0;

  const write = () => {
    let busy = done;
    for (const [pid, m] of members) {
      const now = processTicks(pid);
      if (now === null) {
        // exited: keep what it used
        done += m.last - m.joined;
        busy += m.last - m.joined;
        members.delete(pid);
        continue;
      }
      m.last = now;
      busy += now - m.joined;
    }
    const capacity = Math.floor(((performance.now() - started) / 1000) * TICKS_PER_SECOND * cores);
    const idle = Math.max(0, capacity - busy);
    const file = join(dir, 'stat');
    writeFileSync(`${file}.tmp`, `cpu  ${busy} 0 0 ${idle} 0 0 0 0 0 0\nbtime ${bootTime}\n`);
    renameSync(`${file}.tmp`, file); // telemd never reads half a file
  };
  write();
  const timer = setInterval(write, options.refreshMs ?? 100);
  timer.unref();

  return {
    procMount: dir,
    addProcess(pid) {
      const ticks = processTicks(pid);
      if (ticks === null) throw new Error(`no process ${pid} to add to the emulated node ${dir}`);
      members.set(pid, { joined: ticks, last: ticks });
    },
    removeProcess(pid) {
      const m = members.get(pid);
      if (!m) return;
      done += m.last - m.joined;
      members.delete(pid);
    },
    stop() {
      clearInterval(timer);
    },
  };
}

/** utime + stime of a process in ticks, or null when it is gone. */
function processTicks(pid: number): number | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // the command name (field 2) is in parentheses and may hold spaces: count fields after its end
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (fields[0] === 'Z' || !Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return utime + stime;
}
