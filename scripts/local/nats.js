import { spawn, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { answers, waitUntilAnswers } from "./probe.js";

/**
 * NATS for a local run: NATS_URL if set, else a server already answering on
 * 127.0.0.1:4222, else nats-server from PATH with JetStream under .data/.
 * Returns the URL and, when it started a server, a function to stop it.
 */
export async function localNats(dataDir, say) {
  if (process.env.NATS_URL) {
    say(`nats: using NATS_URL=${process.env.NATS_URL}`);
    return { url: process.env.NATS_URL };
  }
  if (await answers("127.0.0.1", 4222)) {
    say("nats: using the server on 127.0.0.1:4222 (JetStream must be enabled)");
    return { url: "nats://127.0.0.1:4222" };
  }
  const which = spawnSync("sh", ["-c", "command -v nats-server"], { encoding: "utf8" });
  const binary = which.stdout.trim();
  if (!binary) {
    throw new Error(
      "no NATS found: set NATS_URL, or install nats-server (Debian: apt-get install nats-server) and run again",
    );
  }
  const storeDir = join(dataDir, "nats");
  mkdirSync(storeDir, { recursive: true });
  const child = spawn(binary, ["-a", "127.0.0.1", "-p", "4222", "-js", "-sd", storeDir], {
    stdio: "ignore",
  });
  if (!(await waitUntilAnswers("127.0.0.1", 4222, 10_000))) {
    child.kill();
    throw new Error("nats-server did not start on 127.0.0.1:4222");
  }
  say(`nats: started ${binary} with JetStream in ${storeDir}`);
  return { url: "nats://127.0.0.1:4222", stop: () => child.kill("SIGTERM") };
}
