import electron from 'electron';
import type { ElectronFacade, MenuItemModel, WindowHandle, WindowOptions } from './facade.js';

/*
 * The real Electron behind the facade: adapters only, no decisions (those are in security.ts,
 * ipc.ts, tray-model.ts and app.ts, which are unit-tested). Loaded only inside Electron.
 */

const { app, BrowserWindow, Menu, Notification, Tray, dialog, ipcMain, nativeImage, safeStorage, session, shell } = electron;

function adaptWindow(options: WindowOptions): WindowHandle {
  const { icon, ...rest } = options;
  const win = new BrowserWindow({ ...rest, icon: nativeImage.createFromBuffer(icon) });
  const contents = win.webContents;
  return {
    webContentsId: contents.id,
    loadURL: (url) => win.loadURL(url),
    show: () => win.show(),
    hide: () => win.hide(),
    focus: () => win.focus(),
    restore: () => win.restore(),
    isMinimized: () => win.isMinimized(),
    isVisible: () => win.isVisible(),
    isDestroyed: () => win.isDestroyed(),
    onClose: (listener) => win.on('close', (event) => listener(event)),
    onClosed: (listener) => win.on('closed', listener),
    onReadyToShow: (listener) => win.once('ready-to-show', listener),
    setWindowOpenHandler: (handler) => contents.setWindowOpenHandler(({ url }) => ({ action: handler(url) })),
    onWillNavigate: (listener) =>
      contents.on('will-navigate', (event) => listener({ url: event.url, preventDefault: () => event.preventDefault() })),
    onWillRedirect: (listener) =>
      contents.on('will-redirect', (event) => listener({ url: event.url, preventDefault: () => event.preventDefault() })),
    onWillAttachWebview: (listener) => contents.on('will-attach-webview', (event) => listener(event)),
  };
}

function menuTemplate(items: MenuItemModel[], onAction: (id: string) => void): Electron.MenuItemConstructorOptions[] {
  return items.map((item) => {
    switch (item.type) {
      case 'separator':
        return { type: 'separator' };
      case 'label':
        return { label: item.label, enabled: false };
      case 'action':
        return { label: item.label, enabled: item.enabled, click: () => onAction(item.id) };
      case 'checkbox':
        return { type: 'checkbox', label: item.label, checked: item.checked, enabled: item.enabled, click: () => onAction(item.id) };
    }
  });
}

export function createElectronFacade(): ElectronFacade {
  return {
    platform: process.platform,
    isPackaged: app.isPackaged,
    version: app.getVersion(),
    requestSingleInstanceLock: () => app.requestSingleInstanceLock(),
    onSecondInstance: (listener) => app.on('second-instance', (_event, argv) => listener(argv)),
    whenReady: () => app.whenReady(),
    onBeforeQuit: (listener) => app.on('before-quit', (event) => listener(event)),
    onWindowAllClosed: (listener) => app.on('window-all-closed', listener),
    onActivate: (listener) => app.on('activate', listener),
    quit: () => app.quit(),
    exit: (code) => app.exit(code),
    getLoginItem() {
      const settings = app.getLoginItemSettings();
      return { openAtLogin: settings.openAtLogin, wasOpenedAtLogin: process.platform === 'darwin' && settings.wasOpenedAtLogin };
    },
    setLoginItem: (settings) => app.setLoginItemSettings({ openAtLogin: settings.openAtLogin, args: settings.args }),
    createWindow: adaptWindow,
    createTray(icon, toolTip) {
      const tray = new Tray(nativeImage.createFromBuffer(icon));
      tray.setToolTip(toolTip);
      return {
        setImage: (png) => tray.setImage(nativeImage.createFromBuffer(png)),
        setToolTip: (text) => tray.setToolTip(text),
        setMenu: (items, onAction) => tray.setContextMenu(Menu.buildFromTemplate(menuTemplate(items, onAction))),
        onClick: (listener) => tray.on('click', listener),
        destroy: () => tray.destroy(),
      };
    },
    session: {
      setPermissionRequestHandler: (handler) =>
        session.defaultSession.setPermissionRequestHandler((contents, permission, callback) =>
          callback(handler({ permission, url: contents.getURL() })),
        ),
      setPermissionCheckHandler: (handler) =>
        session.defaultSession.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
          handler({ permission, url: requestingOrigin }),
        ),
      onHeadersReceived: (handler) =>
        session.defaultSession.webRequest.onHeadersReceived((details, callback) =>
          callback({ responseHeaders: handler(details.url, details.responseHeaders ?? {}) }),
        ),
    },
    handleIpc: (channel, handler) =>
      ipcMain.handle(channel, (event, ...args: unknown[]) =>
        handler({ webContentsId: event.sender.id, frameUrl: event.senderFrame?.url ?? null }, args),
      ),
    openExternal: (url) => shell.openExternal(url),
    openPath: (path) => shell.openPath(path),
    notificationsSupported: () => Notification.isSupported(),
    showNotification({ title, body, onClick }) {
      const notification = new Notification({ title, body });
      notification.on('click', onClick);
      notification.show();
    },
    async confirm({ message, detail, confirmLabel }) {
      const { response } = await dialog.showMessageBox({
        type: 'warning',
        message,
        detail,
        buttons: [confirmLabel, 'Cancel'],
        defaultId: 1,
        cancelId: 1,
      });
      return response === 0;
    },
    showError: (title, message) => dialog.showErrorBox(title, message),
    safeStorage: {
      isEncryptionAvailable: () => safeStorage.isEncryptionAvailable(),
      selectedBackend: () => (process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : null),
      encryptString: (plain) => safeStorage.encryptString(plain),
      decryptString: (sealed) => safeStorage.decryptString(sealed),
    },
  };
}
