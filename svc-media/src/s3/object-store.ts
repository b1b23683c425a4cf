import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import type { S3Clients } from "./clients.js";

/**
 * Object keys derive from the media id alone, never from client input.
 * Clients upload to `uploads/`; only verified content is copied to
 * `media/`, where downloads are served from.
 */
export const uploadKey = (mediaId: string) => `uploads/${mediaId}`;
export const objectKey = (mediaId: string) => `media/${mediaId}`;
export const thumbnailKey = (mediaId: string) => `media/${mediaId}.thumb.jpg`;

/** The object changed between two requests that named its ETag. */
export class ObjectChanged extends Error {
  override name = "ObjectChanged";
}

/** What storage says of an uploaded object. */
export interface StoredObject {
  sizeBytes: number;
  contentType: string;
  /** Base64 SHA-256 of the whole object, when storage reports one. */
  sha256Base64: string | undefined;
  /** Names this version of the object in If-Match conditions. */
  etag: string;
}

/** A presigned PUT: the URL and exactly the headers the client must send. */
export interface PresignedPut {
  url: string;
  headers: Record<string, string>;
}

export interface PutTerms {
  contentType: string;
  sizeBytes: number;
  /** 64 hex digits; storage gets it base64, as x-amz-checksum-sha256. */
  sha256: string;
}

export interface DownloadTerms {
  contentType: string;
  disposition: string;
}

/** The bucket's objects, through the service client and the signer. */
export class ObjectStore {
  constructor(
    private readonly clients: S3Clients,
    private readonly bucket: string,
  ) {}

  /**
   * A PUT URL storage holds to the terms. Content type, length and the
   * checksum header are all signed (X-Amz-SignedHeaders): storage refuses
   * a request whose headers differ, and S3 refuses a body whose SHA-256
   * differs from the checksum header. The checksum must stay a header: a
   * query parameter would be signed but not checked against the body.
   */
  async presignPut(key: string, terms: PutTerms, expiresInS: number): Promise<PresignedPut> {
    const checksum = Buffer.from(terms.sha256, "hex").toString("base64");
    const command = new PutObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ContentType: terms.contentType,
      ContentLength: terms.sizeBytes,
      ChecksumSHA256: checksum,
    });
    const url = await getSignedUrl(this.clients.signer, command, {
      expiresIn: expiresInS,
      signableHeaders: new Set(["content-type", "content-length"]),
      unhoistableHeaders: new Set(["x-amz-checksum-sha256"]),
    });
    return {
      url,
      headers: {
        "content-type": terms.contentType,
        "content-length": String(terms.sizeBytes),
        "x-amz-checksum-sha256": checksum,
      },
    };
  }

  /** A GET URL that answers with the given content type and disposition. */
  presignGet(key: string, terms: DownloadTerms, expiresInS: number): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ResponseContentType: terms.contentType,
      ResponseContentDisposition: terms.disposition,
    });
    return getSignedUrl(this.clients.signer, command, { expiresIn: expiresInS });
  }

  /** The object's size, type and checksum; undefined when there is none. */
  async head(key: string): Promise<StoredObject | undefined> {
    try {
      const head = await this.clients.service.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: key, ChecksumMode: "ENABLED" }),
      );
      return {
        sizeBytes: head.ContentLength ?? 0,
        contentType: head.ContentType ?? "",
        sha256Base64: wholeObjectChecksum(head.ChecksumSHA256),
        etag: head.ETag ?? "",
      };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * The object version `etag` names, whole, in memory: for images, whose
   * size is capped. Reading stops past `maxBytes`, whatever storage sends.
   */
  async read(key: string, etag: string, maxBytes: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of await this.body(key, etag)) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) throw new ObjectChanged(`${key} is longer than ${maxBytes} bytes`);
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  /** The SHA-256 (hex) of the version `etag` names, streamed: memory stays flat. */
  async sha256(key: string, etag: string): Promise<string> {
    const hash = createHash("sha256");
    for await (const chunk of await this.body(key, etag)) hash.update(chunk as Buffer);
    return hash.digest("hex");
  }

  /** Copies the version `etag` names (server side, up to 5 GiB). */
  async copy(from: string, to: string, etag: string): Promise<void> {
    try {
      await this.clients.service.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: to,
          CopySource: `${this.bucket}/${from}`,
          CopySourceIfMatch: etag,
        }),
      );
    } catch (err) {
      throw isChanged(err) ? new ObjectChanged(`${from} changed`, { cause: err }) : err;
    }
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    await this.clients.service.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  /** Deletes the object; one that is already gone is fine. */
  async delete(key: string): Promise<void> {
    try {
      await this.clients.service.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private async body(key: string, etag: string): Promise<Readable> {
    try {
      const got = await this.clients.service.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, IfMatch: etag }),
      );
      return got.Body as Readable;
    } catch (err) {
      throw isChanged(err) ? new ObjectChanged(`${key} changed`, { cause: err }) : err;
    }
  }
}

/**
 * A multipart upload reports a checksum of part checksums ("…-3"), not of
 * the content; only a whole-object checksum can be compared. Single PUTs,
 * the only uploads granted, report the whole-object one.
 */
function wholeObjectChecksum(value: string | undefined): string | undefined {
  return value && !value.includes("-") ? value : undefined;
}

/** 412: the If-Match ETag no longer names the object (404: it is gone). */
function isChanged(err: unknown): boolean {
  return (
    err instanceof S3ServiceException &&
    (err.$metadata.httpStatusCode === 412 || err.$metadata.httpStatusCode === 404)
  );
}

function isNotFound(err: unknown): boolean {
  return err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404;
}
