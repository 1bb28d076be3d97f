// ANSI colours for a person at a terminal; plain text for everyone else (CliIo decides which).

const ANSI = { red: 31, green: 32, yellow: 33, cyan: 36, bold: 1, dim: 2 } as const;
export type Colour = keyof typeof ANSI;

export type Paint = (colour: Colour, text: string) => string;

export const painter =
  (enabled: boolean): Paint =>
  (colour, text) =>
    enabled ? `\u001b[${ANSI[colour]}m${text}\u001b[0m` : text;
