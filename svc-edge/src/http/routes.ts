import type { Logger } from "@parley/common";
import type { EdgeConfig } from "../config.js";
import { devTokens } from "./dev-tokens.js";
import { staticFiles, type HttpRoute } from "./static-files.js";

/**
 * The optional HTTP routes beside /ws and /healthz, in the order they are
 * tried: the development token endpoint (EDGE_DEV_TOKENS), then the web
 * client's files (EDGE_WEB_DIR).
 */
export function optionalRoutes(config: EdgeConfig, log: Logger): HttpRoute[] {
  const routes: HttpRoute[] = [];
  if (config.EDGE_DEV_TOKENS) {
    log.warn("EDGE_DEV_TOKENS is on: POST /dev/token gives anyone a token for any user");
    routes.push(devTokens(config.PARLEY_TOKEN_SECRET, config.EDGE_DEV_TOKEN_TTL_S));
  }
  if (config.EDGE_WEB_DIR) {
    routes.push(staticFiles(config.EDGE_WEB_DIR));
    log.info({ dir: config.EDGE_WEB_DIR }, "serving the web client at /");
  }
  return routes;
}
