// Progress lines on stderr, so stdout carries only the table (or the one JSON object). Each line
// says how long the run has been going: the whole bench should stay under about five minutes.
const started = performance.now();

export function progress(message: string): void {
  const s = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${s}s] ${message}\n`);
}
