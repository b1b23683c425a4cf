import {
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { callUnary, createClient, ParleyError } from "@parley/common";
import {
  MediaServiceClient,
  type AttachMediaRequest,
  type AttachMediaResponse,
  type CompleteUploadRequest,
  type CompleteUploadResponse,
  type CreateUploadRequest,
  type CreateUploadResponse,
  type GetDownloadRequest,
  type GetDownloadResponse,
  type Media,
} from "@parley/proto/parley/media/v1/media";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import pg from "pg";
import { dropSchema } from "../../../testkit/cleanup.js";
import { baseEnv, TEST_DATABASE_URL, uniqueNamespace } from "../../../testkit/env.js";
import { freePort } from "../../../testkit/ports.js";
import { startTestS3, type TestS3 } from "../../../testkit/s3.js";
import { startService, type RunningService } from "../../../testkit/service.js";

const BUCKET = "parley-media";

export const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** What a call that must fail failed with. */
export async function failureOf(promise: Promise<unknown>): Promise<ParleyError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ParleyError, `expected a ParleyError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected the call to fail");
}

/**
 * svc-media on its own: its process, a schema of its own in the test
 * Postgres and an s3rver of its own. svc-history is not running, so
 * group downloads (which ask it) answer UNAVAILABLE; e2e covers them.
 */
export class MediaDeployment {
  readonly client: MediaServiceClient;
  private readonly s3Client: S3Client;
  private readonly extraPools: pg.Pool[] = [];

  private constructor(
    readonly schema: string,
    readonly s3: TestS3,
    private readonly service: RunningService,
    address: string,
    readonly pool: pg.Pool,
  ) {
    this.client = createClient(MediaServiceClient, address);
    this.s3Client = new S3Client({
      region: "us-east-1",
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: {
        accessKeyId: s3.env.S3_ACCESS_KEY_ID!,
        secretAccessKey: s3.env.S3_SECRET_ACCESS_KEY!,
      },
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }

  static async start(env: Record<string, string> = {}): Promise<MediaDeployment> {
    const schema = uniqueNamespace();
    const s3 = await startTestS3();
    const [grpcPort, historyPort] = await Promise.all([freePort(), freePort()]);
    const address = `127.0.0.1:${grpcPort}`;
    const service = await startService("media", {
      ...baseEnv(schema),
      ...s3.env,
      GRPC_ADDRESS: address,
      HISTORY_ADDRESS: `127.0.0.1:${historyPort}`,
      HISTORY_TIMEOUT_MS: "500",
      ...env,
    });
    const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 2 });
    return new MediaDeployment(schema, s3, service, address, pool);
  }

  createUpload(request: Partial<CreateUploadRequest> & { ownerId: string }) {
    return callUnary<CreateUploadRequest, CreateUploadResponse>(
      this.client,
      this.client.createUpload,
      { contentType: "", sizeBytes: 0, sha256: "", fileName: "", ...request },
      10_000,
    );
  }

  complete(ownerId: string, mediaId: string) {
    return callUnary<CompleteUploadRequest, CompleteUploadResponse>(
      this.client,
      this.client.completeUpload,
      { ownerId, mediaId },
      10_000,
    );
  }

  attach(request: AttachMediaRequest) {
    return callUnary<AttachMediaRequest, AttachMediaResponse>(
      this.client,
      this.client.attachMedia,
      request,
      10_000,
    );
  }

  download(userId: string, mediaId: string, thumbnail = false) {
    return callUnary<GetDownloadRequest, GetDownloadResponse>(
      this.client,
      this.client.getDownload,
      { userId, mediaId, thumbnail },
      10_000,
    );
  }

  /** Grant, then PUT the bytes to storage exactly as granted; answers the PUT's status. */
  async grantAndPut(
    ownerId: string,
    bytes: Buffer,
    contentType: string,
    fileName = "",
  ): Promise<{ media: Media; status: number; granted: CreateUploadResponse }> {
    const granted = await this.createUpload({
      ownerId,
      contentType,
      sizeBytes: bytes.length,
      sha256: sha256(bytes),
      fileName,
    });
    const status = await put(granted, bytes);
    return { media: granted.media!, status, granted };
  }

  /** Grant, PUT and complete: ready media. */
  async upload(ownerId: string, bytes: Buffer, contentType: string, fileName = ""): Promise<Media> {
    const { media, status } = await this.grantAndPut(ownerId, bytes, contentType, fileName);
    assert.equal(status, 200);
    return (await this.complete(ownerId, media.mediaId)).media!;
  }

  /** Writes an object straight to storage, as storage that checks no signed header would keep it. */
  async putObject(key: string, body: Buffer, contentType: string): Promise<void> {
    await this.s3Client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentType: contentType }),
    );
  }

  async objectExists(key: string): Promise<boolean> {
    try {
      await this.s3Client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      return true;
    } catch (err) {
      if (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404) return false;
      throw err;
    }
  }

  /** A pool whose search_path is the deployment's schema, closed with it. */
  schemaPool(): pg.Pool {
    const pool = new pg.Pool({
      connectionString: TEST_DATABASE_URL,
      max: 2,
      options: `-c search_path="${this.schema}"`,
    });
    this.extraPools.push(pool);
    return pool;
  }

  async dispose(): Promise<void> {
    this.client.close();
    this.s3Client.destroy();
    await this.service.stop();
    await this.pool.end();
    await Promise.all(this.extraPools.map((p) => p.end()));
    await this.s3.stop();
    await dropSchema(this.schema);
  }
}

/** PUTs `body` on the grant's URL with its headers, changed by `override`. */
export async function put(
  granted: CreateUploadResponse,
  body: Buffer,
  override: Record<string, string> = {},
): Promise<number> {
  const grant = granted.grant!;
  const response = await fetch(grant.url, {
    method: grant.method,
    headers: { ...grant.headers, ...override },
    body: new Uint8Array(body),
  });
  await response.arrayBuffer();
  return response.status;
}
