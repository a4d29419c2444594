export function build(root: string, options: { stale: boolean }): boolean;
