import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/** renderer/src/model is React-free and needs no DOM: every module loads in plain Node (no window, no document). */
const root = join(process.cwd(), 'renderer/src/model');
const modules = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => join(root, f));

describe('renderer model/ in Node', () => {
  it('has modules to load', () => {
    expect(modules.length).toBeGreaterThan(10);
  });
  for (const file of modules) {
    it(`loads ${relative(root, file)} without a DOM`, async () => {
      expect(typeof (globalThis as { document?: unknown }).document).toBe('undefined');
      await expect(import(file)).resolves.toBeTypeOf('object');
    });
  }
});
