// The application menu, computed from one fact: packaged or not. Packaged builds get only what a user
// needs (quit, the edit shortcuts text fields rely on, window controls); reload and DevTools exist in
// development only. Pure, so it is unit-tested without Electron; menu.ts renders it.

/** Electron menu roles we use: each brings its own label and accelerator. */
export type MenuRole =
  | 'about'
  | 'quit'
  | 'undo'
  | 'redo'
  | 'cut'
  | 'copy'
  | 'paste'
  | 'selectAll'
  | 'minimize'
  | 'close'
  | 'reload'
  | 'forceReload'
  | 'toggleDevTools';

export type MenuEntry = { readonly kind: 'role'; readonly role: MenuRole } | { readonly kind: 'separator' };

export interface MenuSection {
  readonly label: string;
  readonly entries: readonly MenuEntry[];
}

/** Roles that must never ship: they reload the page or open the inspector on a privileged app. */
export const DEVELOPER_ROLES: ReadonlySet<MenuRole> = new Set(['reload', 'forceReload', 'toggleDevTools']);

const role = (r: MenuRole): MenuEntry => ({ kind: 'role', role: r });
const separator: MenuEntry = { kind: 'separator' };

export function appMenuModel(packaged: boolean): readonly MenuSection[] {
  const sections: MenuSection[] = [
    { label: 'Causeway', entries: [role('about'), separator, role('quit')] },
    {
      label: 'Edit',
      entries: [role('undo'), role('redo'), separator, role('cut'), role('copy'), role('paste'), role('selectAll')],
    },
    { label: 'Window', entries: [role('minimize'), role('close')] },
  ];
  if (!packaged)
    sections.push({ label: 'Develop', entries: [role('reload'), role('forceReload'), role('toggleDevTools')] });
  return sections;
}
