// Tables as kubectl prints them: upper-case headers, columns padded to their widest cell, three
// spaces apart, no borders, so `awk` and `column` still work on them.

const GAP = '   ';

export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join(GAP)
      .trimEnd();
  return `${[line(headers.map((header) => header.toUpperCase())), ...rows.map(line)].join('\n')}\n`;
}

/** `3m`, `2h`, `5d` since a time, as kubectl's AGE column shows it. */
export function age(since: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(since)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7_200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3_600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}
