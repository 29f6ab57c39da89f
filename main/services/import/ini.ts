// A line-oriented INI reader shared by the Windows phonebook and NetworkManager keyfiles.
// It keeps every key in order with its line number (a phonebook repeats keys inside one section:
// MEDIA/DEVICE sub-sections each carry their own keys) and reports lines it could not read.

export interface IniEntry {
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

export interface IniSection {
  readonly name: string;
  readonly line: number;
  readonly entries: readonly IniEntry[];
}

export interface IniDocument {
  readonly sections: readonly IniSection[];
  /** Key lines that came before any [section]. */
  readonly orphans: readonly IniEntry[];
  /** Lines that are neither blank, comment, section header nor key=value. */
  readonly unreadable: readonly number[];
}

export interface IniOptions {
  /** Characters that start a comment line (after optional whitespace). */
  readonly commentPrefixes: string;
}

export function readIni(lines: readonly string[], options: IniOptions): IniDocument {
  const sections: { name: string; line: number; entries: IniEntry[] }[] = [];
  const orphans: IniEntry[] = [];
  const unreadable: number[] = [];
  let current: IniEntry[] | undefined;

  lines.forEach((raw, index) => {
    const line = index + 1;
    const text = raw.trim();
    if (text === '' || options.commentPrefixes.includes(text[0] ?? '')) return;
    if (text.startsWith('[')) {
      const close = text.lastIndexOf(']');
      if (close > 0 && text.slice(close + 1).trim() === '') {
        const entries: IniEntry[] = [];
        sections.push({ name: text.slice(1, close), line, entries });
        current = entries;
        return;
      }
    }
    const eq = raw.indexOf('=');
    if (eq <= 0 || raw.slice(0, eq).trim() === '') {
      unreadable.push(line);
      return;
    }
    const entry = { key: raw.slice(0, eq).trim(), value: raw.slice(eq + 1).trim(), line };
    (current ?? orphans).push(entry);
  });
  return { sections, orphans, unreadable };
}

/** The last value of a key (later lines win, as in both Windows and GLib readers). */
export function lastEntry(section: IniSection, key: string, caseInsensitive = false): IniEntry | undefined {
  const want = caseInsensitive ? key.toLowerCase() : key;
  for (let i = section.entries.length - 1; i >= 0; i--) {
    const e = section.entries[i];
    if (e && (caseInsensitive ? e.key.toLowerCase() : e.key) === want) return e;
  }
  return undefined;
}

export function allEntries(section: IniSection, key: string, caseInsensitive = false): IniEntry[] {
  const want = caseInsensitive ? key.toLowerCase() : key;
  return section.entries.filter((e) => (caseInsensitive ? e.key.toLowerCase() : e.key) === want);
}
