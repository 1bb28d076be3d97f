// The control plane's logger (pino): JSON lines wherever a machine reads them (containers, CI, files),
// and on a terminal the same records made readable by pino-pretty, so `npm start` is legible to a
// person. Set LOG_LEVEL as ever; nothing else changes between the two.
import { type Logger, pino } from 'pino';
import pretty from 'pino-pretty';

export function createLogger(level: string, destination: NodeJS.WriteStream = process.stdout): Logger {
  if (!destination.isTTY) return pino({ level });
  return pino({ level }, pretty({ destination, colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' }));
}
