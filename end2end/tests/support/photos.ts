import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { Page } from "@playwright/test";

/**
 * A JPEG as a phone camera makes it: `width`×`height` pixels with detail (drawn by the browser's canvas),
 * and an EXIF block with a GPS latitude (52°13'3"N) and the given orientation (6: turn a quarter clockwise).
 */
export async function cameraPhoto(
  page: Page,
  width = 4000,
  height = 3000,
  orientation = 6,
  { sensorNoise = false } = {},
): Promise<Buffer> {
  const base64 = await page.evaluate(
    async ({ width, height, sensorNoise }) => {
      const canvas = new OffscreenCanvas(width, height);
      const g = canvas.getContext("2d")!;
      const gradient = g.createLinearGradient(0, 0, width, height);
      gradient.addColorStop(0, "#2a6f3e");
      gradient.addColorStop(1, "#f4d35e");
      g.fillStyle = gradient;
      g.fillRect(0, 0, width, height);
      // Detail, so the encoder has real work (a flat picture compresses to nothing).
      for (let i = 0; i < 400; i++) {
        g.fillStyle = `hsl(${(i * 37) % 360} 60% ${30 + (i % 40)}%)`;
        g.fillRect((i * 997) % width, (i * 613) % height, 40 + (i % 200), 30 + (i % 150));
      }
      g.fillStyle = "#000";
      g.font = `${Math.round(height / 10)}px sans-serif`;
      g.fillText("GÓRA", width / 3, height / 4);
      if (sensorNoise) {
        // A camera's grain: what makes a real 12 MP JPEG weigh megabytes rather than kilobytes.
        const pixels = g.getImageData(0, 0, width, height);
        let seed = 1;
        for (let i = 0; i < pixels.data.length; i++) {
          seed = (seed * 1103515245 + 12345) & 0x7fffffff;
          if (i % 4 !== 3) pixels.data[i] += (seed % 25) - 12;
        }
        g.putImageData(pixels, 0, 0);
      }
      const blob = await canvas.convertToBlob({ type: "image/jpeg", quality: 0.92 });
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let binary = "";
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(binary);
    },
    { width, height, sensorNoise },
  );
  const plain = Buffer.from(base64, "base64");
  const exif = Buffer.concat([Buffer.from("Exif\0\0", "binary"), tiffWithGps(orientation)]);
  const segment = Buffer.alloc(4);
  segment.writeUInt16BE(0xffe1, 0);
  segment.writeUInt16BE(exif.length + 2, 2);
  // Right after the start-of-image marker, where cameras put it.
  return Buffer.concat([plain.subarray(0, 2), segment, exif, plain.subarray(2)]);
}

/** Little-endian TIFF: IFD0 with Orientation and a GPS pointer; the GPS IFD with a latitude. */
function tiffWithGps(orientation: number): Buffer {
  const b = Buffer.alloc(92);
  b.write("II", 0, "binary");
  b.writeUInt16LE(42, 2);
  b.writeUInt32LE(8, 4);
  const entry = (at: number, tag: number, type: number, count: number) => {
    b.writeUInt16LE(tag, at);
    b.writeUInt16LE(type, at + 2);
    b.writeUInt32LE(count, at + 4);
  };
  b.writeUInt16LE(2, 8);
  entry(10, 0x0112, 3, 1);
  b.writeUInt16LE(orientation, 18);
  entry(22, 0x8825, 4, 1);
  b.writeUInt32LE(38, 30);
  b.writeUInt32LE(0, 34);
  b.writeUInt16LE(2, 38);
  entry(40, 0x0001, 2, 2);
  b.write("N\0", 48, "binary");
  entry(52, 0x0002, 5, 3);
  b.writeUInt32LE(68, 60);
  b.writeUInt32LE(0, 64);
  [52, 1, 13, 1, 3, 1].forEach((n, i) => b.writeUInt32LE(n, 68 + i * 4));
  return b;
}

/** Width and height from a JPEG's frame header. */
export function jpegSize(jpeg: Buffer): { width: number; height: number } {
  let at = 2;
  while (at < jpeg.length) {
    const marker = jpeg[at + 1];
    const length = jpeg.readUInt16BE(at + 2);
    const isFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (isFrame) return { height: jpeg.readUInt16BE(at + 5), width: jpeg.readUInt16BE(at + 7) };
    at += 2 + length;
  }
  throw new Error("no frame header");
}

/** The markers of a JPEG's APPn and comment segments (where EXIF, GPS, XMP and such live), up to the scan. */
export function metadataMarkers(jpeg: Buffer): number[] {
  const markers: number[] = [];
  let at = 2;
  while (at < jpeg.length && jpeg[at + 1] !== 0xda) {
    const marker = jpeg[at + 1];
    if ((marker >= 0xe0 && marker <= 0xef) || marker === 0xfe) markers.push(marker);
    at += 2 + jpeg.readUInt16BE(at + 2);
  }
  return markers;
}

export function hasExif(jpeg: Buffer): boolean {
  return jpeg.includes(Buffer.from("Exif\0\0", "binary"));
}

/** The photo originals a server keeps under its data directory. */
export function storedOriginals(dataDir: string): string[] {
  const root = path.join(dataDir, "photos", "originals");
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? walk(full) : [full];
    });
  try {
    return walk(root);
  } catch {
    return [];
  }
}
