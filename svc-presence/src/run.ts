import { runService } from "@parley/common";
import { startApp } from "./app.js";
import { loadPresenceConfig } from "./config.js";

await runService("svc-presence", loadPresenceConfig, startApp);
