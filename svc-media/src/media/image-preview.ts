import sharp from "sharp";
import type { ThumbnailImage } from "../domain/media-record.js";

export interface PreviewOptions {
  /** limitInputPixels: bigger images are refused before they are decoded. */
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

/** The content is not an image sharp decodes within the limits. */
export class UndecodableImage extends Error {
  override name = "UndecodableImage";
}

/**
 * Decodes the image: its size as displayed (EXIF orientations 5 to 8 turn
 * it a quarter, swapping width and height) and a JPEG thumbnail, rotated
 * the same way, whose longest side is at most `thumbnailMaxSide`.
 */
export async function previewImage(
  content: Buffer,
  options: PreviewOptions,
): Promise<ImagePreview> {
  const input = { limitInputPixels: options.maxPixels, failOn: "error" } as const;
  try {
    const meta = await sharp(content, input).metadata();
    const turned = (meta.orientation ?? 1) >= 5;
    const width = (turned ? meta.height : meta.width) ?? 0;
    const height = (turned ? meta.width : meta.height) ?? 0;
    const { data, info } = await sharp(content, input)
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
    throw new UndecodableImage("not a decodable image within the pixel limit", { cause: err });
  }
}
