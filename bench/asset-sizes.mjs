// Sizes of the built JS, WASM and CSS, raw and brotli-compressed (quality 11, as a static pre-compression
// would use). Usage: node bench/asset-sizes.mjs <site-pkg-dir>
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const dir = process.argv[2] ?? "target/site/pkg";
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
let raw = 0;
let brotli = 0;
for (const name of readdirSync(dir).filter((n) => /\.(js|wasm|css)$/.test(n)).sort()) {
  const bytes = readFileSync(path.join(dir, name));
  const compressed = zlib.brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } });
  raw += bytes.length;
  brotli += compressed.length;
  console.log(`${name.padEnd(44)} raw ${kib(bytes.length).padStart(11)}  brotli ${kib(compressed.length).padStart(10)}`);
}
console.log(`${"total".padEnd(44)} raw ${kib(raw).padStart(11)}  brotli ${kib(brotli).padStart(10)}`);
