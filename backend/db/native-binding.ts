/**
 * Which better-sqlite3 native build this process loads: under Electron, the Electron-ABI copy
 * `npm start` made (MC_SQLITE_NATIVE_BINDING, an absolute path to a better_sqlite3.node); under Node
 * (tests, `serve`, the CLI) and in a packaged app (rebuilt for Electron by electron-builder), the
 * package's own build. Returns the `nativeBinding` option for `new Database()`, or undefined.
 */
export function sqliteNativeBinding(versions: NodeJS.ProcessVersions, env: NodeJS.ProcessEnv): string | undefined {
  if (!versions.electron) return undefined;
  const path = env.MC_SQLITE_NATIVE_BINDING?.trim();
  return path ? path : undefined;
}
