import sharp from "sharp";
import type { ThumbnailImage } from "../domain/media-record.js";

export interface PreviewOptions {
  /** Bigger images are refused before they are decoded. */
  maxPixels: number;
  thumbnailMaxSide: number;
  thumbnailQuality: number;
}

/** A decoded image's display size and its thumbnail. */
export interface ImagePreview {
  width: number;
  height: number;
  thumbnail: ThumbnailImage;
}

/** The content is not an image sharp decodes. */
export class UndecodableImage extends Error {
  override name = "UndecodableImage";
}

/** The image is well formed but has more pixels than may be decoded. */
export class ImageTooLarge extends Error {
  override name = "ImageTooLarge";
}

/**
 * Decodes the image: its size as displayed (EXIF orientations 5 to 8 turn
 * it a quarter, swapping width and height) and a JPEG thumbnail, rotated
 * the same way, whose longest side is at most `thumbnailMaxSide`. The
 * header is read first, so an image over the pixel limit costs no decode.
 */
export async function previewImage(
  content: Buffer,
  options: PreviewOptions,
): Promise<ImagePreview> {
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>["metadata"]>>;
  try {
    meta = await sharp(content, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new UndecodableImage("not a decodable image", { cause: err });
  }
  const pixels = (meta.width ?? 0) * (meta.height ?? 0);
  if (pixels > options.maxPixels) {
    throw new ImageTooLarge(`${meta.width}×${meta.height}, over ${options.maxPixels} pixels`);
  }
  const turned = (meta.orientation ?? 1) >= 5;
  const width = (turned ? meta.height : meta.width) ?? 0;
  const height = (turned ? meta.width : meta.height) ?? 0;
  try {
    const { data, info } = await sharp(content, {
      limitInputPixels: options.maxPixels,
      failOn: "error",
    })
      .rotate()
      .resize(options.thumbnailMaxSide, options.thumbnailMaxSide, {
        fit: "inside",
        withoutEnlargement: true,
      })
      .flatten({ background: "#ffffff" })
      .jpeg({ quality: options.thumbnailQuality, mozjpeg: true })
      .toBuffer({ resolveWithObject: true });
    return { width, height, thumbnail: { jpeg: data, width: info.width, height: info.height } };
  } catch (err) {
    throw new UndecodableImage("not a decodable image", { cause: err });
  }
}
