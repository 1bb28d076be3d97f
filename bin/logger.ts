// The control plane's logger (pino): JSON lines wherever a machine reads them (containers, CI, files,
// Lambda), and on a terminal the same records made readable by pino-pretty, so `npm start` is legible
// to a person. Set LOG_LEVEL as ever; nothing else changes between the two. pino-pretty is imported
// only for a terminal, so no other process loads it (the Lambda bundle leaves it out).
import { type Logger, pino } from 'pino';

export async function createLogger(level: string, destination: NodeJS.WriteStream = process.stdout): Promise<Logger> {
  if (!destination.isTTY) return pino({ level });
  const { default: pretty } = await import('pino-pretty');
  return pino({ level }, pretty({ destination, colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' }));
}
