// Last-resort cleanup of what lab/net does not know about (the palisade agent's pins, the root-side
// uplink, temp dirs of runs and of the control plane) when the process ends without reaching the
// runner's `finally`: Ctrl-C, SIGTERM, process.exit. Same pattern as lab/net/cleanup.ts: only
// synchronous work can run then, and signals are re-raised so the process still dies of them.

type SyncTask = () => void;

const tasks = new Map<number, SyncTask>();
let nextId = 1;
let installed = false;

function runAll(): void {
  // Newest first: a run's task goes before the control plane's, as in the normal teardown.
  for (const id of [...tasks.keys()].reverse()) {
    const task = tasks.get(id);
    tasks.delete(id);
    try {
      task?.();
    } catch {
      /* best effort: the next task still runs */
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  installed = false;
  process.off('exit', runAll);
  process.kill(process.pid, signal);
}

/** Registers `task` to run synchronously if the process ends first; returns its unregister function. */
export function onExitSync(task: SyncTask): () => void {
  const id = nextId++;
  tasks.set(id, task);
  if (!installed) {
    installed = true;
    process.on('exit', runAll);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  return () => void tasks.delete(id);
}
