// One status line on stderr that rewrites itself, for a person watching a terminal; nothing at all in
// a pipeline, whose logs should hold results, not spinners.
import type { CliIo } from '../io.ts';

interface Progress {
  update(message: string): void;
  done(): void;
}

export function progressLine(io: CliIo): Progress {
  if (!io.isTTY) return { update() {}, done() {} };
  let shown = false;
  return {
    update(message) {
      io.stderr.write(`\r\u001b[K${message}`);
      shown = true;
    },
    done() {
      if (shown) io.stderr.write('\r\u001b[K');
      shown = false;
    },
  };
}
