// Renders the pure tray model with Electron's Tray and Menu.
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';
import { join } from 'node:path';
import type { TrayIconState, TrayItem, TrayModel } from './tray-model.js';

export interface TrayActions {
  connect(profileId: string): void;
  disconnect(profileId: string): void;
  open(): void;
  quit(): void;
}

export class AppTray {
  private readonly tray: Tray;

  constructor(
    private readonly iconsDir: string,
    private readonly actions: TrayActions,
  ) {
    this.tray = new Tray(this.icon('disconnected'));
    this.tray.on('click', () => actions.open());
  }

  render(model: TrayModel): void {
    this.tray.setImage(this.icon(model.icon));
    this.tray.setToolTip(model.tooltip);
    this.tray.setContextMenu(Menu.buildFromTemplate(model.items.map((i) => this.item(i))));
  }

  destroy(): void {
    this.tray.destroy();
  }

  private item(i: TrayItem): MenuItemConstructorOptions {
    switch (i.kind) {
      case 'profile':
        return {
          label: i.label,
          enabled: i.enabled,
          click: () =>
            i.action === 'connect' ? this.actions.connect(i.profileId) : this.actions.disconnect(i.profileId),
        };
      case 'separator':
        return { type: 'separator' };
      case 'open':
        return { label: 'Open Causeway', click: () => this.actions.open() };
      case 'quit':
        return { label: 'Quit (disconnects)', click: () => this.actions.quit() };
    }
  }

  private icon(state: TrayIconState) {
    return nativeImage.createFromPath(join(this.iconsDir, `tray-${state}.png`));
  }
}
