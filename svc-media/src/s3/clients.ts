import {
  CreateBucketCommand,
  HeadBucketCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import type { Logger } from "@parley/common";
import type { MediaConfig } from "../config.js";

/** One client calls storage; the other signs the URLs clients use. */
export interface S3Clients {
  /** svc-media's own requests (HEAD, GET, PUT thumbnail, DELETE). */
  service: S3Client;
  /** Presigns only: same credentials, the endpoint as clients reach it. */
  signer: S3Client;
}

/**
 * The two clients. Both compute and validate checksums only when an
 * operation requires it: by default SDK v3 sends streamed bodies with
 * aws-chunked framing and a trailing checksum, which S3-compatible servers
 * such as s3rver store framing and all.
 */
export function createS3Clients(config: MediaConfig): S3Clients {
  const make = (endpoint: string) =>
    new S3Client({
      region: config.S3_REGION,
      ...(endpoint ? { endpoint } : {}),
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
      ...(config.S3_ACCESS_KEY_ID
        ? {
            credentials: {
              accessKeyId: config.S3_ACCESS_KEY_ID,
              secretAccessKey: config.S3_SECRET_ACCESS_KEY,
            },
          }
        : {}),
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  const service = make(config.S3_ENDPOINT);
  const publicEndpoint = config.S3_PUBLIC_ENDPOINT || config.S3_ENDPOINT;
  const signer = publicEndpoint === config.S3_ENDPOINT ? service : make(publicEndpoint);
  return { service, signer };
}

/** Creates the bucket when it is missing (S3_CREATE_BUCKET, local servers). */
export async function ensureBucket(client: S3Client, bucket: string, log: Logger): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch (err) {
    if (!(err instanceof S3ServiceException) || err.$metadata.httpStatusCode !== 404) throw err;
  }
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  log.info({ bucket }, "bucket created");
}

/** Closes both clients' connections. */
export function destroyS3Clients(clients: S3Clients): void {
  clients.service.destroy();
  if (clients.signer !== clients.service) clients.signer.destroy();
}
