import { defineConfig } from "vite";

// `npm run dev -w web` serves the client with hot reload and passes the
// WebSocket and the token endpoint on to an edge started by `npm start`.
const EDGE = process.env.PARLEY_EDGE ?? "127.0.0.1:8080";

export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
  server: {
    proxy: {
      "/ws": { target: `ws://${EDGE}`, ws: true },
      "/dev": `http://${EDGE}`,
    },
  },
});
