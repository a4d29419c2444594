import { config } from 'zod';

// The UI's Content-Security-Policy has no 'unsafe-eval', so zod cannot compile its parsers with
// `new Function` and walks schemas instead. Saying so before any schema is built skips zod's
// `new Function` probe, which the browser would report as a CSP violation on every start.
// Imported first by start.tsx and bridge.ts (the two ways schemas get loaded): the contract’s schemas
// are built when their modules load.
config({ jitless: true });
