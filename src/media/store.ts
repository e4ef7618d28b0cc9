import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const sha256Bytes = (bytes: Uint8Array) => new Bun.CryptoHasher("sha256").update(bytes).digest("hex");

export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

export type ImageExt = "jpg" | "png" | "webp" | "gif";
export const CONTENT_TYPES: Record<ImageExt, string> = {
  jpg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  gif: "image/gif",
};

/** The image type from the file's first bytes; its name and declared type are not trusted. */
export function detectImage(bytes: Uint8Array): ImageExt | null {
  const b = (i: number) => bytes[i] ?? -1;
  const ascii = (from: number, text: string) => [...text].every((c, i) => b(from + i) === c.charCodeAt(0));
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return "jpg";
  if ([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((v, i) => b(i) === v)) return "png";
  if (ascii(0, "GIF87a") || ascii(0, "GIF89a")) return "gif";
  if (ascii(0, "RIFF") && ascii(8, "WEBP")) return "webp";
  return null;
}

export const MEDIA_FILE = /^([a-f0-9]{16,64})\.(jpg|png|webp|gif)$/;

export class UploadError extends Error {}

/** Uploaded images under DATA_DIR/media, named by the SHA-256 of their bytes. */
export function mediaStore(dataDir: string) {
  const dir = join(dataDir, "media");
  return {
    dir,
    /** Checks and stores an upload; returns its public path. Throws UploadError with a message for the artist. */
    async save(file: File): Promise<string> {
      if (file.size > MAX_UPLOAD_BYTES) throw new UploadError(`The file is ${(file.size / 1048576).toFixed(1)} MB; the limit is 5 MB.`);
      const bytes = new Uint8Array(await file.arrayBuffer());
      const ext = detectImage(bytes);
      if (!ext) throw new UploadError("That file is not a JPEG, PNG, WebP or GIF image.");
      const name = `${sha256Bytes(bytes)}.${ext}`;
      const path = join(dir, name);
      if (!existsSync(path)) {
        mkdirSync(dir, { recursive: true });
        // Written aside and renamed, so a reader never sees half a file.
        const tmp = `${path}.${process.pid}.tmp`;
        writeFileSync(tmp, bytes);
        renameSync(tmp, path);
      }
      return `/media/${name}`;
    },
    /** The file for a /media/<name> request, or null when the name is not one we make. */
    locate(name: string): { path: string; type: string } | null {
      const m = MEDIA_FILE.exec(name);
      if (!m) return null;
      return { path: join(dir, name), type: CONTENT_TYPES[m[2] as ImageExt] };
    },
  };
}
export type MediaStore = ReturnType<typeof mediaStore>;
