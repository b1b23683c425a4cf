import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";

/** s3rver checks request signatures against this fixed key pair. */
const S3RVER_KEY = "S3RVER";

/** Browsers (the web client's tests) upload and download from another origin, as under npm start. */
const CORS = readFileSync(new URL("../scripts/local/s3-cors.xml", import.meta.url), "utf8");

/** An S3-compatible server of the test's own, with its objects in a temporary folder. */
export interface TestS3 {
  endpoint: string;
  /** svc-media's storage settings for this server; the bucket is made at start. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts s3rver on a free port of 127.0.0.1 (in this process), with the bucket made. */
export async function startTestS3(bucket = "parley-media"): Promise<TestS3> {
  const directory = await mkdtemp(join(tmpdir(), "parley-s3-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [CORS] }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    env: {
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: S3RVER_KEY,
      S3_SECRET_ACCESS_KEY: S3RVER_KEY,
      S3_CREATE_BUCKET: "true",
    },
    async stop() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
