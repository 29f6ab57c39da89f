// What differs between the Electron app and the browser test host, as capabilities the backend asks for.
export interface HostCapabilities {
  readonly kind: 'electron' | 'browser';
  readonly version: string;
  readonly platform: string;
  /** Where to write an exported log; null when the user cancelled. */
  chooseExportPath(suggestedName: string): Promise<string | null>;
  /** Start at login; absent when the host cannot. May be asynchronous (a file, a desktop entry). */
  readonly autostart?: { get(): boolean | Promise<boolean>; set(enabled: boolean): void | Promise<void> };
}
