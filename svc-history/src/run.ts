import { runService } from "@parley/common";
import { startApp } from "./app.js";
import { loadHistoryConfig } from "./config.js";

await runService("svc-history", loadHistoryConfig, startApp);
