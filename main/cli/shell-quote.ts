// Names come from imports too; quote them so a printed command is safe to paste.
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_.:@%+=,/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
