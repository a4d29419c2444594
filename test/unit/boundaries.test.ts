import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** Proves each layer rule of eslint.config.js once: a bad import is refused, a good one passes. */
const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const cases: { layer: string; file: string; bad: string; good: string }[] = [
  {
    layer: 'backend must not import electron',
    file: 'backend/services/x.ts',
    bad: "import { app } from 'electron';\nexport const a = app;\n",
    good: "import { z } from 'zod';\nexport const a = z;\n",
  },
  {
    layer: 'backend must not import renderer',
    file: 'backend/http/x.ts',
    bad: "import { App } from '../../renderer/src/app';\nexport const a = App;\n",
    good: "import { AppError } from '../errors.js';\nexport const a = AppError;\n",
  },
  {
    layer: 'contract is pure zod',
    file: 'backend/contract/x.ts',
    bad: "import { agents } from '../db/schema.js';\nexport const a = agents;\n",
    good: "import { z } from 'zod';\nimport { Id } from './common.js';\nexport const a = [z, Id];\n",
  },
  {
    layer: 'main reaches the backend only through backend/index.ts',
    file: 'main/x.ts',
    bad: "import { openDb } from '../backend/db/open-db.js';\nexport const a = openDb;\n",
    good: "import { startBackend } from '../backend/index.js';\nexport const a = startBackend;\n",
  },
  {
    layer: 'renderer may not import backend internals',
    file: 'renderer/src/x.ts',
    bad: "import { createServices } from '../../backend/services/index.js';\nexport const a = createServices;\n",
    good: "import { ROUTES } from '../../backend/contract/routes';\nexport const a = ROUTES;\n",
  },
  {
    layer: 'renderer may not import electron',
    file: 'renderer/src/y.ts',
    bad: "import { ipcRenderer } from 'electron';\nexport const a = ipcRenderer;\n",
    good: "import { create } from 'zustand';\nexport const a = create;\n",
  },
];

describe('layer boundaries (eslint no-restricted-imports)', () => {
  for (const c of cases) {
    it(c.layer, async () => {
      expect(await restrictedImports(c.file, c.bad)).toHaveLength(1);
      expect(await restrictedImports(c.file, c.good)).toEqual([]);
    });
  }
});

describe('one API client (contract engineer, #15 §4)', () => {
  const fetchUses = async (filePath: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath });
    return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-globals').map((m) => m.message);
  };
  const cases = [
    { file: 'main/x.ts', client: '../backend/contract/client.js' },
    { file: 'backend/cli/x.ts', client: '../contract/client.js' },
  ];
  for (const { file, client } of cases) {
    it(`${file} calls the API through createRouteClient, not fetch`, async () => {
      expect(await fetchUses(file, "export const a = () => fetch('http://127.0.0.1/api/v1/agents');\n")).toHaveLength(1);
      const good = `import { createRouteClient } from '${client}';\nexport const a = createRouteClient({ baseUrl: '' });\n`;
      expect(await fetchUses(file, good)).toEqual([]);
    });
  }
});

/** Issue #15 §1: a kernel below, services and lifecycle side by side, wired only in backend/compose.ts. */
const backendLayers: { layer: string; file: string; bad: string; good: string }[] = [
  {
    layer: 'core imports only db, contract, logging, errors and core',
    file: 'backend/core/x.ts',
    bad: "import { createServices } from '../services/index.js';\nexport const a = createServices;\n",
    good: "import { agents } from '../db/schema.js';\nimport { AppError } from '../errors.js';\nimport { newId } from './ids.js';\nexport const a = [agents, AppError, newId];\n",
  },
  {
    layer: 'services never import lifecycle',
    file: 'backend/services/x.ts',
    bad: "import { createWakeLadder } from '../lifecycle/wake-ladder-runner.js';\nexport const a = createWakeLadder;\n",
    good: "import { recordLifecycle } from '../core/lifecycle-trail.js';\nexport const a = recordLifecycle;\n",
  },
  {
    layer: 'lifecycle never imports services (not even a type)',
    file: 'backend/lifecycle/x.ts',
    bad: "import type { AgentService } from '../services/agents.js';\nexport type A = AgentService;\n",
    good: "import type { AgentRecords } from '../core/ports.js';\nexport type A = AgentRecords;\n",
  },
  {
    layer: 'a layer rule keeps backend Node-only',
    file: 'backend/core/y.ts',
    bad: "import { app } from 'electron';\nexport const a = app;\n",
    good: "import { eq } from 'drizzle-orm';\nexport const a = eq;\n",
  },
];

describe('backend layers: core, services, lifecycle (eslint no-restricted-imports)', () => {
  for (const c of backendLayers) {
    it(c.layer, async () => {
      expect(await restrictedImports(c.file, c.bad)).toHaveLength(1);
      expect(await restrictedImports(c.file, c.good)).toEqual([]);
    });
  }
});

/** The renderer cut by feature (#15 §5): model/ is React-free, ui/ knows no feature, features meet by index. */
const rendererCases: typeof cases = [
  {
    layer: 'renderer model/ imports no React',
    file: 'renderer/src/model/stores/x.ts',
    bad: "import { useState } from 'react';\nexport const a = useState;\n",
    good: "import { createStore } from 'zustand/vanilla';\nimport { ApiError } from '../api/client.js';\nexport const a = [createStore, ApiError];\n",
  },
  {
    layer: 'renderer model/ imports no ui/ or feature',
    file: 'renderer/src/model/x.ts',
    bad: "import { Pill } from '../ui/components';\nexport const a = Pill;\n",
    good: "import { href } from './routes';\nexport const a = href;\n",
  },
  {
    layer: 'renderer ui/ imports no feature',
    file: 'renderer/src/ui/x.tsx',
    bad: "import { gatewayTone } from '../features/gateways';\nexport const a = gatewayTone;\n",
    good: "import { agentTone } from '../model/format';\nexport const a = agentTone;\n",
  },
  {
    layer: "a renderer feature imports another feature's index only",
    file: 'renderer/src/features/overview/x.tsx',
    bad: "import { gatewayTone } from '../gateways/gateways';\nexport const a = gatewayTone;\n",
    good: "import { gatewayTone } from '../gateways';\nimport { Pill } from './pieces';\nexport const a = [gatewayTone, Pill];\n",
  },
  {
    layer: 'a renderer feature imports model/, ui/ and the contract, not the shell',
    file: 'renderer/src/features/agents/x.tsx',
    bad: "import { App } from '../../app';\nexport const a = App;\n",
    good: "import { href } from '../../model/routes';\nimport { Pill } from '../../ui/components';\nimport { ROUTES } from '../../../../backend/contract/routes';\nexport const a = [href, Pill, ROUTES];\n",
  },
];

describe('renderer feature boundaries (eslint no-restricted-imports)', () => {
  for (const c of rendererCases) {
    it(c.layer, async () => {
      expect(await restrictedImports(c.file, c.bad)).toHaveLength(1);
      expect(await restrictedImports(c.file, c.good)).toEqual([]);
    });
  }
});
