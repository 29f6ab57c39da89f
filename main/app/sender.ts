// Which frames may call the backend: only the app's own top-level page, loaded from its own file.
// Pure (no electron import) so it is unit-tested; ipc.ts feeds it the sender frame's URL.

export interface SenderInfo {
  /** URL of the frame that sent the message (event.senderFrame.url). */
  readonly frameUrl: string | undefined;
  /** Whether that frame is the top frame of its page. */
  readonly isMainFrame: boolean;
  /** Whether the message came from the window we created (compared by webContents id). */
  readonly fromOurWindow: boolean;
}

export function isTrustedSender(s: SenderInfo, appPageUrl: string): boolean {
  if (!s.fromOurWindow || !s.isMainFrame || !s.frameUrl) return false;
  let got: URL;
  let want: URL;
  try {
    got = new URL(s.frameUrl);
    want = new URL(appPageUrl);
  } catch {
    return false;
  }
  // Compare without fragment/query: the renderer may use the fragment for its own navigation.
  return got.protocol === want.protocol && got.host === want.host && got.pathname === want.pathname;
}

/** Navigation is never allowed away from the app page (links open nowhere; the app has none). */
export function isAllowedNavigation(url: string, appPageUrl: string): boolean {
  return isTrustedSender({ frameUrl: url, isMainFrame: true, fromOurWindow: true }, appPageUrl);
}
