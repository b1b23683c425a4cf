import { mkdirSync } from "node:fs";
import { join } from "node:path";
import S3rver from "s3rver";

/**
 * s3rver, an S3-compatible server from npm, started in this process on
 * 127.0.0.1:`port` with its objects under <dataDir>/s3. Returns its
 * endpoint and a function that stops it.
 */
export async function localS3(dataDir, say, port) {
  const directory = join(dataDir, "s3");
  mkdirSync(directory, { recursive: true });
  const server = new S3rver({ address: "127.0.0.1", port, silent: true, directory });
  const { port: bound } = await server.run();
  const endpoint = `http://127.0.0.1:${bound}`;
  say(`s3: started s3rver on ${endpoint} with objects in ${directory}`);
  return { endpoint, stop: () => server.close() };
}
