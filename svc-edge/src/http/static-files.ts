import type { IncomingMessage, ServerResponse } from "node:http";
import sirv from "sirv";

/** Answers a request and returns true, or returns false to let others try. */
export type HttpRoute = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * Serves a built web client (EDGE_WEB_DIR, checked to hold index.html) at
 * / with sirv. sirv in its production mode lists the folder once at start
 * and answers only paths of that list, so no request can reach a file
 * outside it (`..`, encoded slashes, files added later). Vite names assets by content hash, so
 * those are cached for good; index.html is revalidated on every load.
 */
export function staticFiles(dir: string): HttpRoute {
  const serve = sirv(dir, {
    dev: false,
    etag: true,
    dotfiles: false,
    setHeaders: (res, pathname) => {
      const immutable = pathname.startsWith("/assets/");
      res.setHeader(
        "cache-control",
        immutable ? "public, max-age=31536000, immutable" : "no-cache",
      );
      res.setHeader("x-content-type-options", "nosniff");
    },
  });
  return (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    serve(req, res, () => {
      res.writeHead(404).end();
    });
    return true;
  };
}
