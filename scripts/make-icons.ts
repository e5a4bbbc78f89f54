/**
 * Renders resources/icon.svg into every icon the installers need, so the one SVG stays the source of truth:
 *   resources/icons/<n>x<n>.png  16..1024, the Linux icon set (AppImage and deb install them into hicolor)
 *   resources/icon.png           1024 px; electron-builder turns it into the macOS .icns
 *   resources/icon.ico           16..256 px for Windows (the .exe and the NSIS installer)
 * Each size is rasterised from the vector at its own resolution (not downscaled from 1024) so small sizes stay
 * crisp. Run: npx tsx scripts/make-icons.ts   (then commit the generated files).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import sharp, { type Sharp } from 'sharp';
import { encodeIco, type IcoImage } from './ico';

const resources = fileURLToPath(new URL('../resources/', import.meta.url));
const PNG_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];

/** The SVG is drawn on a 1024 grid at 72 dpi; scale the density so librsvg draws it at `size` directly. */
function render(svg: Buffer, size: number): Sharp {
  return sharp(svg, { density: (72 * size) / 1024 }).resize(size, size, { fit: 'fill' });
}

async function main(): Promise<void> {
  const svg = await readFile(resources + 'icon.svg');
  await mkdir(resources + 'icons', { recursive: true });
  for (const size of PNG_SIZES) {
    const png = await render(svg, size).png({ compressionLevel: 9 }).toBuffer();
    await writeFile(`${resources}icons/${size}x${size}.png`, png);
    if (size === 1024) await writeFile(resources + 'icon.png', png);
  }
  const images: IcoImage[] = [];
  for (const size of ICO_SIZES) {
    if (size === 256) {
      images.push({ size, png: await render(svg, size).png({ compressionLevel: 9 }).toBuffer() });
    } else {
      images.push({ size, rgba: await render(svg, size).ensureAlpha().raw().toBuffer() });
    }
  }
  await writeFile(resources + 'icon.ico', encodeIco(images));
  process.stdout.write(
    `icons written to ${resources} (png ${PNG_SIZES.join(', ')}; ico ${ICO_SIZES.join(', ')})\n`,
  );
}

await main();
