/*
 * The few Electron APIs the desktop shell uses, as an interface. `electron-facade.ts` adapts the
 * real `electron` module; unit tests drive the same wiring through an in-memory FakeElectron.
 * Everything with a decision in it (security policy, menus, IPC checks, quit order) lives outside
 * the adapter, so it is tested.
 */

export interface PreventableEvent {
  preventDefault(): void;
}

export interface NavigationEvent extends PreventableEvent {
  url: string;
}

/** Who sent an IPC message: the web contents and the frame's URL (null when unknown). */
export interface IpcSender {
  webContentsId: number;
  frameUrl: string | null;
}

export type IpcHandler = (sender: IpcSender, args: unknown[]) => unknown;

export interface WebPreferences {
  preload: string;
  contextIsolation: boolean;
  sandbox: boolean;
  nodeIntegration: boolean;
  nodeIntegrationInWorker: boolean;
  nodeIntegrationInSubFrames: boolean;
  webSecurity: boolean;
  allowRunningInsecureContent: boolean;
  webviewTag: boolean;
  navigateOnDragDrop: boolean;
  spellcheck: boolean;
}

export interface WindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  title: string;
  show: boolean;
  icon: Buffer;
  backgroundColor: string;
  autoHideMenuBar: boolean;
  webPreferences: WebPreferences;
}

export interface WindowHandle {
  readonly webContentsId: number;
  loadURL(url: string): Promise<void>;
  show(): void;
  hide(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isVisible(): boolean;
  isDestroyed(): boolean;
  /** The user (or the app) asked to close: preventable. */
  onClose(listener: (event: PreventableEvent) => void): void;
  onClosed(listener: () => void): void;
  onReadyToShow(listener: () => void): void;
  /** `window.open` and target=_blank: return `deny` to refuse. */
  setWindowOpenHandler(handler: (url: string) => 'deny' | 'allow'): void;
  /** Top-level navigations started by the page (will-navigate): links, form posts, `location =`. */
  onWillNavigate(listener: (event: NavigationEvent) => void): void;
  /** A server-side redirect during a navigation (will-redirect): the server chose `url`, not the user. */
  onWillRedirect(listener: (event: NavigationEvent) => void): void;
  onWillAttachWebview(listener: (event: PreventableEvent) => void): void;
}

export type MenuItemModel =
  | { type: 'separator' }
  | { type: 'label'; label: string }
  | { type: 'action'; id: string; label: string; enabled: boolean }
  | { type: 'checkbox'; id: string; label: string; checked: boolean; enabled: boolean };

export interface TrayHandle {
  setImage(png: Buffer): void;
  setToolTip(text: string): void;
  /** Items as modelled; `onAction(id)` runs when an action or checkbox is clicked. */
  setMenu(items: MenuItemModel[], onAction: (id: string) => void): void;
  onClick(listener: () => void): void;
  destroy(): void;
}

export interface PermissionRequest {
  permission: string;
  url: string;
}

export interface SessionFacade {
  setPermissionRequestHandler(handler: (request: PermissionRequest) => boolean): void;
  setPermissionCheckHandler(handler: (request: PermissionRequest) => boolean): void;
  /** Rewrite response headers of every response loaded by the app's session. */
  onHeadersReceived(handler: (url: string, headers: Record<string, string[]>) => Record<string, string[]>): void;
}

export interface SafeStorageFacade {
  isEncryptionAvailable(): boolean;
  /** Linux only: `basic_text` means "encrypted" with a hard-coded key, i.e. plain text. */
  selectedBackend(): string | null;
  encryptString(plain: string): Buffer;
  decryptString(sealed: Buffer): string;
}

export interface ElectronFacade {
  readonly platform: NodeJS.Platform;
  readonly isPackaged: boolean;
  readonly version: string;

  requestSingleInstanceLock(): boolean;
  onSecondInstance(listener: (argv: string[]) => void): void;
  whenReady(): Promise<void>;
  onBeforeQuit(listener: (event: PreventableEvent) => void): void;
  onWindowAllClosed(listener: () => void): void;
  /** macOS: the dock icon was clicked. */
  onActivate(listener: () => void): void;
  quit(): void;
  exit(code: number): void;

  /**
   * `wasOpenedAtLogin` (macOS only; false elsewhere): this launch was started by the login item.
   * macOS cannot pass arguments to a login item, so this is how it knows to start hidden.
   */
  getLoginItem(): { openAtLogin: boolean; wasOpenedAtLogin: boolean };
  /** `args` reach the app on Windows only (Electron ignores them on macOS). */
  setLoginItem(settings: { openAtLogin: boolean; args: string[] }): void;

  createWindow(options: WindowOptions): WindowHandle;
  createTray(icon: Buffer, toolTip: string): TrayHandle;
  readonly session: SessionFacade;

  handleIpc(channel: string, handler: IpcHandler): void;

  openExternal(url: string): Promise<void>;
  /** Open a folder in the file manager; resolves to an error message or ''. */
  openPath(path: string): Promise<string>;

  notificationsSupported(): boolean;
  showNotification(notification: { title: string; body: string; onClick: () => void }): void;
  /** A modal yes/no question; true when confirmed. */
  confirm(question: { message: string; detail: string; confirmLabel: string }): Promise<boolean>;
  showError(title: string, message: string): void;

  readonly safeStorage: SafeStorageFacade;
}
