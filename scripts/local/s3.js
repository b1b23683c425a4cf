import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import S3rver from "s3rver";

/** svc-media's default bucket (S3_BUCKET), made here with its CORS rules. */
const BUCKET = "parley-media";

/**
 * The bucket's CORS rules (s3-cors.xml, shared with testkit/s3.ts):
 * browsers (the web client, served by the edge on another origin) PUT
 * uploads and GET downloads straight from storage with the grant's
 * headers, so both are allowed from any origin.
 */
const CORS = readFileSync(new URL("./s3-cors.xml", import.meta.url), "utf8");

/**
 * s3rver, an S3-compatible server from npm, started in this process on
 * 127.0.0.1:`port` with its objects under <dataDir>/s3. Returns its
 * endpoint and a function that stops it.
 */
export async function localS3(dataDir, say, port) {
  const directory = join(dataDir, "s3");
  mkdirSync(directory, { recursive: true });
  const server = new S3rver({
    address: "127.0.0.1",
    port,
    silent: true,
    directory,
    configureBuckets: [{ name: BUCKET, configs: [CORS] }],
  });
  const { port: bound } = await server.run();
  const endpoint = `http://127.0.0.1:${bound}`;
  say(`s3: started s3rver on ${endpoint} with objects in ${directory}`);
  return { endpoint, stop: () => server.close() };
}
