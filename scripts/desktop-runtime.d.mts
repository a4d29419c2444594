export const NATIVE_DIR: string;
export function hasDisplay(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): boolean;
export type ElectronStep = { action: 'run' } | { action: 'fetch'; say: string } | { action: 'headless'; reason: string };
export function electronStep(s: {
  headlessRequested: boolean;
  packageInstalled: boolean;
  binaryPresent: boolean;
  display: boolean;
  fetchDisabled: boolean;
}): ElectronStep;
export function afterElectronFetch(ok: boolean, detail?: string): { action: 'run' } | { action: 'headless'; reason: string };
export function electronBindingDir(root: string, o: { electronVersion: string; platform: string; arch: string }): string;
export function bindingFileIn(dir: string): string;
export function bindingStep(s: {
  bindingPresent: boolean;
  fetchDisabled: boolean;
}): { action: 'use' } | { action: 'make'; say: string } | { action: 'headless'; reason: string };
export function bindingCommands(o: {
  workDir: string;
  electronVersion: string;
  arch: string;
  prebuildInstall: string;
  nodeGyp: string;
  node: string;
}): { command: string; args: string[]; cwd: string }[];
export function afterBindingMake(ok: boolean, detail?: string): { action: 'use' } | { action: 'headless'; reason: string };
