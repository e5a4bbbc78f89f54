import { Menu, shell, type MenuItemConstructorOptions } from 'electron';

export function buildMenu(): Menu {
  const mac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(mac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        { label: 'OpenOOD', click: () => void shell.openExternal('https://github.com/Jingkang50/OpenOOD') },
        {
          label: 'Neural Collapse (Papyan et al. 2020)',
          click: () => void shell.openExternal('https://arxiv.org/abs/2008.08186'),
        },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}
