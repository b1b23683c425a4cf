// Small real photos-to-be for the messages that carry an image: a seeded
// SVG scene (sky gradient, sun, hills, a few shapes) rendered by sharp to
// JPEG or PNG, each one different, so svc-media decodes, measures and
// thumbnails real image files.
import { createHash } from "node:crypto";
import sharp from "sharp";
import { Random } from "./random.js";

export interface DemoImage {
  bytes: Buffer;
  sha256: string;
  contentType: "image/jpeg" | "image/png";
  fileName: string;
  width: number;
  height: number;
}

const hue = (random: Random) => random.int(0, 359);
const hsl = (h: number, s: number, l: number) => `hsl(${h},${s}%,${l}%)`;

/** The image of message `index` in a run with `seed`. */
export async function makeImage(seed: number, index: number): Promise<DemoImage> {
  const random = new Random(seed * 7919 + index);
  const width = random.int(16, 40) * 10;
  const height = random.int(12, 30) * 10;
  const sky = hue(random);
  const shapes = Array.from({ length: random.int(3, 9) }, () => {
    const [x, y, r] = [random.int(0, width), random.int(0, height), random.int(4, 40)];
    const fill = hsl(hue(random), random.int(40, 90), random.int(30, 70));
    return random.chance(0.5)
      ? `<circle cx="${x}" cy="${y}" r="${r}" fill="${fill}" fill-opacity="0.8"/>`
      : `<rect x="${x}" y="${y}" width="${r * 2}" height="${r}" fill="${fill}"/>`;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
<stop offset="0" stop-color="${hsl(sky, 70, 45)}"/><stop offset="1" stop-color="${hsl(sky, 60, 85)}"/>
</linearGradient></defs>
<rect width="100%" height="100%" fill="url(#sky)"/>
<circle cx="${random.int(0, width)}" cy="${Math.round(height / 4)}" r="${random.int(10, 30)}" fill="#ffd75e"/>
<path d="M0 ${height} Q ${width / 3} ${height / 2} ${width / 2} ${(height * 3) / 4} T ${width} ${height / 2} V ${height} Z" fill="${hsl(hue(random), 45, 35)}"/>
${shapes.join("\n")}
</svg>`;
  const png = random.chance(0.25);
  const image = sharp(Buffer.from(svg));
  const bytes = await (png ? image.png() : image.jpeg({ quality: 85 })).toBuffer();
  return {
    bytes,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    contentType: png ? "image/png" : "image/jpeg",
    fileName: `IMG_${String(index).padStart(5, "0")}.${png ? "png" : "jpg"}`,
    width,
    height,
  };
}
