import { createClient, startGrpcServer, type Logger, type Shutdown } from "@parley/common";
import { openDatabase } from "@parley/common/pg";
import { ConversationServiceClient } from "@parley/proto/parley/history/v1/conversations";
import { fileURLToPath } from "node:url";
import type { MediaConfig } from "./config.js";
import { MediaKind, type UploadLimits } from "./domain/media-kind.js";
import { mediaService } from "./grpc/media-service.js";
import { GroupMembers } from "./history/group-members.js";
import { Attachments } from "./media/attachments.js";
import { Completion } from "./media/completion.js";
import { Downloads } from "./media/downloads.js";
import { ExpiredUploadSweeper } from "./media/sweeper.js";
import { Uploads } from "./media/uploads.js";
import { logDistribution } from "./pg/citus.js";
import { MediaStore } from "./pg/media-store.js";
import { createS3Clients, destroyS3Clients, ensureBucket } from "./s3/clients.js";
import { ObjectStore } from "./s3/object-store.js";

/** The package's migrations folder, from src (tsx) and dist alike. */
const MIGRATIONS_DIR = fileURLToPath(new URL("../migrations", import.meta.url));

export interface App {
  grpc_port: number;
}

type Stop = [name: string, run: () => Promise<void>];

/**
 * Starts svc-media: the only place where its parts are wired together.
 * Every part started adds its stop; they are handed to `shutdown` in
 * reverse start order (gRPC, sweeper, history client, storage, Postgres),
 * also when startup fails halfway.
 */
export async function startApp(config: MediaConfig, log: Logger, shutdown: Shutdown): Promise<App> {
  const stops: Stop[] = [];
  try {
    return await start(config, log, stops);
  } finally {
    for (const [name, run] of stops.reverse()) shutdown.add(name, run);
  }
}

async function start(config: MediaConfig, log: Logger, stops: Stop[]): Promise<App> {
  const pool = await openDatabase(
    {
      url: config.DATABASE_URL,
      schema: config.DATABASE_SCHEMA,
      poolSize: config.DATABASE_POOL_SIZE,
      migrationsDir: MIGRATIONS_DIR,
      migrationsTable: "media_migrations",
      applicationName: "svc-media",
    },
    log,
  );
  stops.push(["close postgres pool", () => pool.end()]);
  await logDistribution(pool, log.child({ component: "postgres" }));
  const store = new MediaStore(pool);

  const s3 = createS3Clients(config);
  stops.push(["close storage clients", async () => destroyS3Clients(s3)]);
  if (config.S3_CREATE_BUCKET) {
    await ensureBucket(s3.service, config.S3_BUCKET, log.child({ component: "s3" }));
  }
  const objects = new ObjectStore(s3, config.S3_BUCKET);

  const history = createClient(ConversationServiceClient, config.HISTORY_ADDRESS);
  stops.push(["close history client", async () => history.close()]);

  const sweeper = new ExpiredUploadSweeper(
    store,
    objects,
    {
      intervalMs: config.MEDIA_SWEEP_INTERVAL_MS,
      batch: config.MEDIA_SWEEP_BATCH,
      graceMs: config.MEDIA_SWEEP_GRACE_MS,
    },
    log.child({ component: "sweeper" }),
  );
  sweeper.start();
  stops.push(["stop sweeper", () => sweeper.stop()]);

  const grpcLog = log.child({ component: "grpc" });
  const grpc = await startGrpcServer(
    config.GRPC_ADDRESS,
    [
      mediaService({
        uploads: new Uploads(store, objects, uploadLimits(config), config.MEDIA_UPLOAD_TTL_MS),
        completion: new Completion(
          store,
          objects,
          {
            preview: {
              maxPixels: config.MEDIA_MAX_IMAGE_PIXELS,
              thumbnailMaxSide: config.MEDIA_THUMBNAIL_MAX_SIDE,
              thumbnailQuality: config.MEDIA_THUMBNAIL_QUALITY,
            },
            maxConcurrentDecodes: config.MEDIA_MAX_CONCURRENT_DECODES,
            sweepGraceMs: config.MEDIA_SWEEP_GRACE_MS,
          },
          log.child({ component: "completion" }),
        ),
        attachments: new Attachments(store),
        downloads: new Downloads(
          store,
          objects,
          new GroupMembers(history, config.HISTORY_TIMEOUT_MS),
          config.MEDIA_DOWNLOAD_TTL_MS,
        ),
        log: grpcLog,
      }),
    ],
    grpcLog,
  );
  stops.push(["stop grpc", () => grpc.stop(config.GRPC_STOP_GRACE_MS)]);
  return { grpc_port: grpc.port };
}

function uploadLimits(config: MediaConfig): UploadLimits {
  return {
    contentTypes: new Set(config.MEDIA_CONTENT_TYPES),
    maxBytes: {
      [MediaKind.Image]: config.MEDIA_MAX_IMAGE_BYTES,
      [MediaKind.Video]: config.MEDIA_MAX_VIDEO_BYTES,
      [MediaKind.Audio]: config.MEDIA_MAX_AUDIO_BYTES,
      [MediaKind.File]: config.MEDIA_MAX_FILE_BYTES,
    },
    maxPendingPerOwner: config.MEDIA_MAX_PENDING_PER_OWNER,
  };
}
