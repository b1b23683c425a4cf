import {
  commonSettings,
  ConfigError,
  hostPort,
  intIn,
  loadConfig,
  natsSettings,
} from "@parley/common";
import { postgresSettings } from "@parley/common/pg";
import { bool, makeValidator, str, type CleanedEnv } from "envalid";

const MIB = 1024 * 1024;

/** A comma-separated list of lower-case MIME types ("type/subtype"). */
const mimeTypes = makeValidator<string[]>((input) => {
  const types = input
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
  const bad = types.find((t) => !/^[a-z]+\/[a-z0-9][a-z0-9.+-]*$/.test(t));
  if (bad !== undefined || types.length === 0) {
    throw new Error(`expected comma-separated lower-case MIME types, got "${bad ?? input}"`);
  }
  return types;
});

/** An http(s) URL, or empty. */
const optionalUrl = makeValidator<string>((input) => {
  if (input !== "" && !/^https?:\/\/[^/\s]+\/?$/.test(input)) {
    throw new Error(`expected http(s)://host[:port] or empty, got "${input}"`);
  }
  return input.replace(/\/$/, "");
});

/** An S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens. */
const bucketName = makeValidator<string>((input) => {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(input)) {
    throw new Error(`expected an S3 bucket name (3 to 63 of a-z, 0-9, '.', '-'), got "${input}"`);
  }
  return input;
});

/** The size caps are per kind; a content type's kind is its top-level type. */
const sizeCap = (defaultBytes: number, what: string) =>
  intIn(
    1,
    5 * 1024 * MIB,
  )({
    default: defaultBytes,
    desc: `Largest ${what} upload, bytes (one presigned PUT, so at most S3's 5 GiB).`,
  });

/** Every key svc-media reads from its environment. */
export const mediaSpec = {
  ...commonSettings,
  PARLEY_NAMESPACE: natsSettings.PARLEY_NAMESPACE,
  GRPC_ADDRESS: hostPort({
    default: "0.0.0.0:7104",
    desc: "Address the gRPC server binds (MediaService and grpc.health.v1); port 0 picks a free port.",
  }),
  GRPC_STOP_GRACE_MS: intIn(
    0,
    60_000,
  )({
    default: 5_000,
    desc: "How long in-flight gRPC calls may run on at shutdown before they are cancelled.",
  }),
  HISTORY_ADDRESS: hostPort({
    default: "127.0.0.1:7102",
    desc: "svc-history's gRPC address: GetDownload asks it (ListMembers) whether the user is a member of a group the media was sent to.",
  }),
  HISTORY_TIMEOUT_MS: intIn(
    100,
    60_000,
  )({
    default: 5_000,
    desc: "Deadline of a ListMembers call; past it, GetDownload answers UNAVAILABLE.",
  }),
  ...postgresSettings("the media and media_attachments tables", { default: 10 }),
  MEDIA_CONTENT_TYPES: mimeTypes({
    default: [
      "image/jpeg",
      "image/png",
      "image/webp",
      "image/gif",
      "image/heic",
      "video/mp4",
      "video/quicktime",
      "video/webm",
      "audio/mpeg",
      "audio/ogg",
      "audio/aac",
      "audio/mp4",
      "application/pdf",
      "application/zip",
      "text/plain",
      "application/msword",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "application/vnd.ms-excel",
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "application/vnd.ms-powerpoint",
      "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ],
    desc: "Content types CreateUpload accepts, comma separated. The top-level type (image, video, audio; anything else is a file) picks the size cap. jpeg, png, webp and gif images are decoded for their size and thumbnail; other image types (heic) are kept without.",
  }),
  MEDIA_MAX_IMAGE_BYTES: sizeCap(16 * MIB, "image"),
  MEDIA_MAX_VIDEO_BYTES: sizeCap(100 * MIB, "video"),
  MEDIA_MAX_AUDIO_BYTES: sizeCap(32 * MIB, "audio"),
  MEDIA_MAX_FILE_BYTES: sizeCap(100 * MIB, "file (any other allowed type)"),
  MEDIA_MAX_IMAGE_PIXELS: intIn(
    1,
    1_000_000_000,
  )({
    default: 50_000_000,
    desc: "Largest image, in pixels (width × height), CompleteUpload decodes; a larger one is refused as not decodable. Bounds the memory one decode takes.",
  }),
  MEDIA_MAX_CONCURRENT_DECODES: intIn(
    1,
    64,
  )({
    default: 2,
    desc: "Images one instance decodes at once (for size and thumbnail); more completions wait. Each decode may hold a whole image and its pixels in memory.",
  }),
  MEDIA_MAX_PENDING_PER_OWNER: intIn(
    1,
    100_000,
  )({
    default: 20,
    desc: "Most uploads one owner may have granted and not yet completed (unexpired); one more is RESOURCE_EXHAUSTED.",
  }),
  MEDIA_UPLOAD_TTL_MS: intIn(
    1_000,
    7 * 24 * 3_600_000,
  )({
    default: 15 * 60_000,
    desc: "How long an upload grant (the presigned PUT) is valid; a pending upload not completed by then is refused and swept. Credentials that expire (STS, instance roles) end presigned URLs with them, so keep this below their lifetime.",
  }),
  MEDIA_DOWNLOAD_TTL_MS: intIn(
    1_000,
    7 * 24 * 3_600_000,
  )({
    default: 5 * 60_000,
    desc: "How long a presigned download URL is valid.",
  }),
  MEDIA_THUMBNAIL_MAX_SIDE: intIn(
    16,
    1_024,
  )({
    default: 96,
    desc: "Longest side of an image's thumbnail, pixels. Thumbnails travel in every message that carries the image, so keep them a few KB.",
  }),
  MEDIA_THUMBNAIL_QUALITY: intIn(
    1,
    100,
  )({
    default: 60,
    desc: "JPEG quality of thumbnails (1 to 100).",
  }),
  MEDIA_SWEEP_INTERVAL_MS: intIn(
    50,
    24 * 3_600_000,
  )({
    default: 60_000,
    desc: "Time between two sweeps of expired pending uploads.",
  }),
  MEDIA_SWEEP_BATCH: intIn(
    1,
    10_000,
  )({
    default: 100,
    desc: "Expired pending uploads one sweep step removes (objects, then rows); a sweep repeats steps until none are left.",
  }),
  MEDIA_SWEEP_GRACE_MS: intIn(
    0,
    24 * 3_600_000,
  )({
    default: 60_000,
    desc: "How long past its grant's end a pending upload is spared by the sweeper, so that an upload or completion begun just before the end can finish.",
  }),
  S3_ENDPOINT: optionalUrl({
    default: "",
    desc: "S3-compatible storage svc-media calls, e.g. http://127.0.0.1:4568; empty means AWS S3 itself (by S3_REGION).",
  }),
  S3_PUBLIC_ENDPOINT: optionalUrl({
    default: "",
    desc: "The storage endpoint as clients reach it, put into presigned URLs, when it differs from S3_ENDPOINT (containers, proxies); empty means S3_ENDPOINT.",
  }),
  S3_REGION: str({
    default: "us-east-1",
    desc: "Region the requests are signed for.",
  }),
  S3_BUCKET: bucketName({
    default: "parley-media",
    desc: "Bucket holding the objects: uploads/<media_id> until verified, then media/<media_id> and media/<media_id>.thumb.jpg. Give uploads/ a lifecycle rule expiring objects after a day.",
  }),
  S3_ACCESS_KEY_ID: str({
    default: "",
    desc: "Access key; empty (with S3_SECRET_ACCESS_KEY) means the AWS SDK's default credential chain (environment, profile, instance role).",
  }),
  S3_SECRET_ACCESS_KEY: str({
    default: "",
    desc: "Secret key belonging to S3_ACCESS_KEY_ID.",
  }),
  S3_FORCE_PATH_STYLE: str({
    default: "",
    choices: ["", "true", "false"],
    desc: "Path-style URLs (endpoint/bucket/key) instead of virtual hosts (bucket.endpoint/key). Empty means true when S3_ENDPOINT is set, false for AWS.",
  }),
  S3_CREATE_BUCKET: bool({
    default: false,
    desc: "Create S3_BUCKET at startup when it is missing (for local S3-compatible servers; production buckets are provisioned).",
  }),
};

type MediaEnv = CleanedEnv<typeof mediaSpec>;

/** The configuration after defaults that depend on other keys are applied. */
export type MediaConfig = Omit<MediaEnv, "S3_FORCE_PATH_STYLE"> & { S3_FORCE_PATH_STYLE: boolean };

/**
 * Reads and checks the configuration. Throws ConfigError naming every bad
 * key; `onUnknown` hears of MEDIA_* and S3_* variables that match no key.
 */
export function loadMediaConfig(onUnknown: (name: string) => void): MediaConfig {
  const config = loadConfig(mediaSpec, { warnPrefixes: ["MEDIA_", "S3_"], onUnknown });
  if ((config.S3_ACCESS_KEY_ID === "") !== (config.S3_SECRET_ACCESS_KEY === "")) {
    throw new ConfigError(
      "invalid configuration: S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY are set together or not at all",
    );
  }
  const pathStyle = config.S3_FORCE_PATH_STYLE;
  return {
    ...config,
    DATABASE_SCHEMA: config.DATABASE_SCHEMA || config.PARLEY_NAMESPACE,
    S3_FORCE_PATH_STYLE: pathStyle === "" ? config.S3_ENDPOINT !== "" : pathStyle === "true",
  };
}
