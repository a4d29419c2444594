import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('./renderer', import.meta.url));

/**
 * The entry script (renderer/src/main.tsx) imports the app (`start.tsx`) dynamically, after it has
 * started the first page's read. A modulepreload link lets the browser fetch and compile that chunk
 * while the entry runs, instead of only when the entry asks for it.
 */
function preloadAppChunk(): Plugin {
  return {
    name: 'mc-preload-app-chunk',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const chunk = Object.values(ctx.bundle ?? {}).find((c) => c.type === 'chunk' && c.isDynamicEntry && c.name === 'start');
        return chunk
          ? [{ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `./${chunk.fileName}` }, injectTo: 'head' }]
          : [];
      },
    },
  };
}

export default defineConfig({
  root,
  base: './',
  plugins: [react(), preloadAppChunk()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
  },
  server: { port: 5173, strictPort: true },
});
