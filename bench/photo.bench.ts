// Photo benchmark: a 12 MP camera JPEG (4000×3000, with EXIF and GPS) picked in the app, as on a phone.
// Reports the client's processing time (decode, orient, shrink to 1600 px, re-encode, thumbnail, SHA-256:
// the app's User Timing measure `sasiedzi:photo-processing`), the bytes that then travel, and the time of
// the upload itself on loopback. It checks only that the work was done, never how fast.
import path from "node:path";
import { localRecords } from "../end2end/tests/support/device";
import { recordHelpRequest } from "../end2end/tests/support/forms";
import { cameraPhoto, jpegSize } from "../end2end/tests/support/photos";
import { AppServer, expect, openOnline, test } from "../end2end/tests/support/server";

const ROOT = path.resolve(__dirname, "..");
const RUNS = 5;

test("photo: a 12 MP photo prepared on the device and uploaded", async ({ page }) => {
  const server = await AppServer.create({ binary: path.join(ROOT, "target/release/server"), hashFile: path.join(ROOT, "target/release/hash.txt"), siteRoot: path.join(ROOT, "target/site") });
  try {
    await openOnline(page, server.url);
    await recordHelpRequest(page, { name: "Irena Kowalska", district: "okolna", category: "shopping", description: "Zakupy" });
    await page.getByTestId("request-card").getByRole("link", { name: "Irena Kowalska" }).click();
    const photo = await cameraPhoto(page, 4000, 3000, 6, { sensorNoise: true });
    const drafts = page.getByTestId("local-photo");
    const times: number[] = [];
    for (let run = 1; run <= RUNS; run++) {
      await page.getByTestId("photo-gallery").setInputFiles({ name: `IMG_${run}.jpg`, mimeType: "image/jpeg", buffer: photo });
      await expect(drafts).toHaveCount(run, { timeout: 60_000 });
      const measures = await page.evaluate(() =>
        performance.getEntriesByName("sasiedzi:photo-processing").map((m) => m.duration),
      );
      expect(measures).toHaveLength(run);
      times.push(measures[run - 1]);
    }
    times.sort((a, b) => a - b);
    console.log(
      `photo: 12 MP input ${(photo.length / 1024).toFixed(0)} KiB; processing on the device median ${times[Math.floor(RUNS / 2)].toFixed(0)} ms (min ${times[0].toFixed(0)}, max ${times[RUNS - 1].toFixed(0)}, ${RUNS} runs)`,
    );

    // What the device keeps, and then sends, for each photo (Playwright does not see a Blob body).
    const prepared = (await localRecords(page, ["local_photos"])).local_photos.map((p) => ({ bytes: p.file.bytes, thumbnail: p.thumbnail_bytes }));
    expect(prepared).toHaveLength(RUNS);
    const uploads: { started: number; finished?: number }[] = [];
    page.on("request", (request) => {
      if (request.method() === "PUT" && request.url().includes("/api/v1/photos/")) uploads.push({ started: Date.now() });
    });
    page.on("requestfinished", (request) => {
      if (request.method() === "PUT" && request.url().includes("/api/v1/photos/")) uploads[uploads.length - 1].finished = Date.now();
    });
    const draft = drafts.first();
    await draft.getByLabel("Nie — brak osób rozpoznawalnych").check();
    await draft.getByRole("button", { name: "Zapisz zdjęcie" }).click();
    await expect(page.getByTestId("photo")).toHaveCount(1, { timeout: 60_000 });
    expect(uploads).toHaveLength(1);
    const [upload] = uploads;
    const bytes = prepared[0].bytes;
    const thumbnail = await page.getByTestId("photo").getByRole("img").evaluate(async (img: HTMLImageElement) => {
      const response = await fetch(img.src);
      return (await response.arrayBuffer()).byteLength;
    });
    console.log(
      `photo: upload ${(bytes / 1024).toFixed(0)} KiB (${((100 * bytes) / photo.length).toFixed(1)} % of the camera file), ` +
        `device thumbnail ${(prepared[0].thumbnail / 1024).toFixed(0)} KiB; upload ${upload.finished! - upload.started} ms on loopback; ` +
        `server thumbnail ${(thumbnail / 1024).toFixed(0)} KiB`,
    );
    expect(jpegSize(photo)).toEqual({ width: 4000, height: 3000 });
  } finally {
    await server.dispose();
  }
});
