export function findElectron(
  env?: NodeJS.ProcessEnv,
  platform?: NodeJS.Platform,
): { binary: string; reason: null } | { binary: null; reason: string };
