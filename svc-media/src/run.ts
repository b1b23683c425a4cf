import { runService } from "@parley/common";
import { startApp } from "./app.js";
import { loadMediaConfig } from "./config.js";

await runService("svc-media", loadMediaConfig, startApp);
