export function electronBinding(
  root: string,
  electronVersion: string,
  options?: { fetchDisabled?: boolean; log?: (line: string) => void },
): { file: string; reason?: undefined } | { file?: undefined; reason: string };
