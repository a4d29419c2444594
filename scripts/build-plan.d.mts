export interface BuildTarget {
  name: string;
  inputs: string[];
  outputs: string[];
  script: string;
}
export const TARGETS: BuildTarget[];
export const STAMP_FILE: string;
export function fingerprint(root: string, inputs: string[], seen?: Map<string, string>): string;
export function readStamp(root: string): Record<string, string>;
export function recordBuilt(root: string, target: string, print: string): void;
export function buildPlan(root: string, targets?: BuildTarget[]): { target: BuildTarget; print: string; reason: string | null }[];
