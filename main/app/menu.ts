// Renders the pure menu model (menu-model.ts) as the application menu, replacing Electron's default
// one, which carries DevTools and reload in every build.
import { Menu, type MenuItemConstructorOptions } from 'electron';
import { appMenuModel, type MenuEntry } from './menu-model.js';

export function installAppMenu(packaged: boolean): void {
  const template: MenuItemConstructorOptions[] = appMenuModel(packaged).map((s) => ({
    label: s.label,
    submenu: s.entries.map(item),
  }));
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function item(e: MenuEntry): MenuItemConstructorOptions {
  return e.kind === 'separator' ? { type: 'separator' } : { role: e.role };
}
