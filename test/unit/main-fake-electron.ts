import type {
  ElectronFacade,
  IpcHandler,
  IpcSender,
  MenuItemModel,
  NavigationEvent,
  PermissionRequest,
  PreventableEvent,
  TrayHandle,
  WindowHandle,
  WindowOptions,
} from '../../main/facade.js';

/*
 * An in-memory Electron for unit tests of main/ (the real binary cannot be downloaded on these
 * machines). It records what main asked for and lets a test play the user and the OS: click the
 * tray, close the window, launch a second instance, send IPC from some web contents, quit.
 */

const preventable = <T extends object>(fields: T = {} as T) => {
  const event = { ...fields, prevented: false, preventDefault: () => void (event.prevented = true) };
  return event;
};

export class FakeWindow implements WindowHandle {
  static nextId = 100;
  readonly webContentsId = FakeWindow.nextId++;
  readonly loaded: string[] = [];
  visible = false;
  focused = false;
  minimized = false;
  destroyed = false;
  private closeListeners: ((e: PreventableEvent) => void)[] = [];
  private closedListeners: (() => void)[] = [];
  private readyListeners: (() => void)[] = [];
  private navigateListeners: ((e: NavigationEvent) => void)[] = [];
  private redirectListeners: ((e: NavigationEvent) => void)[] = [];
  private webviewListeners: ((e: PreventableEvent) => void)[] = [];
  openHandler: ((url: string) => 'deny' | 'allow') | null = null;

  constructor(readonly options: WindowOptions) {}

  async loadURL(url: string): Promise<void> {
    this.loaded.push(url);
    for (const l of this.readyListeners.splice(0)) l();
  }
  show() {
    this.visible = true;
  }
  hide() {
    this.visible = false;
  }
  focus() {
    this.focused = true;
  }
  restore() {
    this.minimized = false;
  }
  isMinimized() {
    return this.minimized;
  }
  isVisible() {
    return this.visible;
  }
  isDestroyed() {
    return this.destroyed;
  }
  onClose(l: (e: PreventableEvent) => void) {
    this.closeListeners.push(l);
  }
  onClosed(l: () => void) {
    this.closedListeners.push(l);
  }
  onReadyToShow(l: () => void) {
    this.readyListeners.push(l);
  }
  setWindowOpenHandler(h: (url: string) => 'deny' | 'allow') {
    this.openHandler = h;
  }
  onWillNavigate(l: (e: NavigationEvent) => void) {
    this.navigateListeners.push(l);
  }
  onWillRedirect(l: (e: NavigationEvent) => void) {
    this.redirectListeners.push(l);
  }
  onWillAttachWebview(l: (e: PreventableEvent) => void) {
    this.webviewListeners.push(l);
  }

  /** The user clicks the close button: true when the window really closed. */
  userClose(): boolean {
    const event = preventable();
    for (const l of this.closeListeners) l(event);
    if (event.prevented) return false;
    this.destroyed = true;
    this.visible = false;
    for (const l of this.closedListeners) l();
    return true;
  }
  /** The page tries to navigate: true when it was allowed. */
  navigate(url: string): boolean {
    const event = preventable({ url });
    for (const l of this.navigateListeners) l(event);
    return !event.prevented;
  }
  /** The server answers a navigation with a redirect to `url`: true when it was followed. */
  redirect(url: string): boolean {
    const event = preventable({ url });
    for (const l of this.redirectListeners) l(event);
    return !event.prevented;
  }
  attachWebview(): boolean {
    const event = preventable();
    for (const l of this.webviewListeners) l(event);
    return !event.prevented;
  }
}

export class FakeTray implements TrayHandle {
  images: Buffer[] = [];
  toolTip = '';
  menu: MenuItemModel[] = [];
  destroyed = false;
  private onAction: (id: string) => void = () => {};
  private clickListeners: (() => void)[] = [];
  constructor(icon: Buffer, toolTip: string) {
    this.images.push(icon);
    this.toolTip = toolTip;
  }
  setImage(png: Buffer) {
    this.images.push(png);
  }
  setToolTip(text: string) {
    this.toolTip = text;
  }
  setMenu(items: MenuItemModel[], onAction: (id: string) => void) {
    this.menu = items;
    this.onAction = onAction;
  }
  onClick(l: () => void) {
    this.clickListeners.push(l);
  }
  destroy() {
    this.destroyed = true;
  }
  click() {
    for (const l of this.clickListeners) l();
  }
  /** Click a menu item by its id, as the OS menu would. */
  clickItem(id: string) {
    const item = this.menu.find((i) => 'id' in i && i.id === id);
    if (!item || ('enabled' in item && !item.enabled)) throw new Error(`tray item ${id} is not clickable`);
    this.onAction(id);
  }
  labels(): string[] {
    return this.menu.flatMap((i) => ('label' in i ? [i.label] : []));
  }
}

export interface FakeElectronOptions {
  platform?: NodeJS.Platform;
  gotLock?: boolean;
  keychain?: 'available' | 'basic_text' | 'none';
  confirmAnswer?: boolean;
  /** macOS: the OS started this launch through the login item. */
  wasOpenedAtLogin?: boolean;
}

export class FakeElectron implements ElectronFacade {
  readonly platform: NodeJS.Platform;
  readonly isPackaged = true;
  readonly version = '0.0.0-fake';
  readonly windows: FakeWindow[] = [];
  readonly trays: FakeTray[] = [];
  readonly ipc = new Map<string, IpcHandler>();
  readonly opened: string[] = [];
  readonly openedPaths: string[] = [];
  readonly notifications: { title: string; body: string; onClick: () => void }[] = [];
  readonly confirmations: string[] = [];
  readonly errors: { title: string; message: string }[] = [];
  loginItem = { openAtLogin: false, args: [] as string[] };
  quitCalls = 0;
  /** Quits no before-quit listener held: real Electron would end the process there and then. */
  unheldQuits = 0;
  exitCodes: number[] = [];
  permissionRequest: ((r: PermissionRequest) => boolean) | null = null;
  permissionCheck: ((r: PermissionRequest) => boolean) | null = null;
  headersHandler: ((url: string, h: Record<string, string[]>) => Record<string, string[]>) | null = null;
  private secondInstance: ((argv: string[]) => void)[] = [];
  private beforeQuit: ((e: PreventableEvent) => void)[] = [];
  private allClosed: (() => void)[] = [];
  private activate: (() => void)[] = [];
  private exited!: () => void;
  /** Resolves when main calls `exit`. */
  readonly exitedPromise = new Promise<void>((resolve) => (this.exited = resolve));

  constructor(private readonly opts: FakeElectronOptions = {}) {
    this.platform = opts.platform ?? 'linux';
  }

  requestSingleInstanceLock() {
    return this.opts.gotLock ?? true;
  }
  onSecondInstance(l: (argv: string[]) => void) {
    this.secondInstance.push(l);
  }
  async whenReady() {}
  onBeforeQuit(l: (e: PreventableEvent) => void) {
    this.beforeQuit.push(l);
  }
  onWindowAllClosed(l: () => void) {
    this.allClosed.push(l);
  }
  onActivate(l: () => void) {
    this.activate.push(l);
  }
  /** Like app.quit(): before-quit listeners may prevent it. */
  quit() {
    this.quitCalls += 1;
    const event = preventable();
    for (const l of this.beforeQuit) l(event);
    if (!event.prevented) this.unheldQuits += 1;
  }
  exit(code: number) {
    this.exitCodes.push(code);
    this.exited();
  }
  getLoginItem() {
    return {
      openAtLogin: this.loginItem.openAtLogin,
      wasOpenedAtLogin: this.platform === 'darwin' && (this.opts.wasOpenedAtLogin ?? false),
    };
  }
  setLoginItem(settings: { openAtLogin: boolean; args: string[] }) {
    this.loginItem = { ...settings };
  }
  createWindow(options: WindowOptions) {
    const w = new FakeWindow(options);
    this.windows.push(w);
    return w;
  }
  createTray(icon: Buffer, toolTip: string) {
    const t = new FakeTray(icon, toolTip);
    this.trays.push(t);
    return t;
  }
  readonly session = {
    setPermissionRequestHandler: (h: (r: PermissionRequest) => boolean) => void (this.permissionRequest = h),
    setPermissionCheckHandler: (h: (r: PermissionRequest) => boolean) => void (this.permissionCheck = h),
    onHeadersReceived: (h: (url: string, headers: Record<string, string[]>) => Record<string, string[]>) => void (this.headersHandler = h),
  };
  handleIpc(channel: string, handler: IpcHandler) {
    this.ipc.set(channel, handler);
  }
  /** Like ipcRenderer.invoke from some web contents: rejects when the handler throws. */
  async invoke(channel: string, sender: IpcSender, ...args: unknown[]): Promise<unknown> {
    const handler = this.ipc.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return handler(sender, args);
  }
  async openExternal(url: string) {
    this.opened.push(url);
  }
  async openPath(path: string) {
    this.openedPaths.push(path);
    return '';
  }
  notificationsSupported() {
    return true;
  }
  showNotification(n: { title: string; body: string; onClick: () => void }) {
    this.notifications.push(n);
  }
  async confirm(q: { message: string }) {
    this.confirmations.push(q.message);
    return this.opts.confirmAnswer ?? true;
  }
  showError(title: string, message: string) {
    this.errors.push({ title, message });
  }
  readonly safeStorage = {
    isEncryptionAvailable: () => (this.opts.keychain ?? 'basic_text') !== 'none',
    selectedBackend: () => ((this.opts.keychain ?? 'basic_text') === 'available' ? 'gnome_libsecret' : 'basic_text'),
    // A reversible stand-in for the OS keychain (tests only check the secret is not stored as is).
    encryptString: (plain: string) => Buffer.from(`fake-sealed:${Buffer.from(plain).toString('hex')}`),
    decryptString: (sealed: Buffer) => {
      const text = sealed.toString();
      if (!text.startsWith('fake-sealed:')) throw new Error('not sealed by this fake keychain');
      return Buffer.from(text.slice('fake-sealed:'.length), 'hex').toString();
    },
  };

  launchSecondInstance(argv: string[] = []) {
    for (const l of this.secondInstance) l(argv);
  }
  allWindowsClosed() {
    for (const l of this.allClosed) l();
  }
  get window(): FakeWindow | undefined {
    return this.windows.at(-1);
  }
}
