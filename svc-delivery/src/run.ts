import { runService } from "@parley/common";
import { startDelivery } from "./app.js";
import { loadDeliveryConfig } from "./config.js";

await runService("svc-delivery", loadDeliveryConfig, startDelivery);
