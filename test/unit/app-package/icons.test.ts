import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { checkColorIcon, checkOutlineIcon, decodePng } from '../../../scripts/package';
import { drawColorIcon, drawOutlineIcon } from '../../../scripts/make-icons';

const APP_PACKAGE = path.resolve(__dirname, '..', '..', '..', 'appPackage');

function readIcon(name: string): PNG {
  const png = decodePng(fs.readFileSync(path.join(APP_PACKAGE, name)));
  if (typeof png === 'string') assert.fail(`${name}: ${png}`);
  return png;
}

function solid(size: number, rgba: readonly [number, number, number, number]): PNG {
  const png = new PNG({ width: size, height: size });
  for (let i = 0; i < png.data.length; i += 4) rgba.forEach((v, c) => (png.data[i + c] = v));
  return png;
}

function setPixel(png: PNG, x: number, y: number, rgba: readonly [number, number, number, number]): void {
  rgba.forEach((v, c) => (png.data[(y * png.width + x) * 4 + c] = v));
}

describe('app package icons', () => {
  describe('appPackage/color.png', () => {
    it('is 192×192 and passes the colour icon rules', () => {
      const png = readIcon('color.png');
      assert.equal(png.width, 192);
      assert.equal(png.height, 192);
      assert.deepEqual(checkColorIcon(png), []);
    });

    it('is what scripts/make-icons.ts draws', () => {
      assert.ok(readIcon('color.png').data.equals(drawColorIcon().data), 'run npx tsx scripts/make-icons.ts');
    });
  });

  describe('appPackage/outline.png', () => {
    it('is 32×32 with only transparent or white pixels, some of each', () => {
      const png = readIcon('outline.png');
      assert.equal(png.width, 32);
      assert.equal(png.height, 32);
      let transparent = 0;
      let white = 0;
      for (let i = 0; i < png.data.length; i += 4) {
        const [r, g, b, a] = png.data.subarray(i, i + 4);
        if (a === 0) transparent++;
        else {
          assert.deepEqual([r, g, b], [255, 255, 255], `pixel ${i / 4} is visible and not white`);
          white++;
        }
      }
      assert.ok(transparent > 100 && white > 100, `transparent ${transparent}, white ${white}`);
      assert.deepEqual(checkOutlineIcon(png), []);
    });

    it('is what scripts/make-icons.ts draws', () => {
      assert.ok(readIcon('outline.png').data.equals(drawOutlineIcon().data), 'run npx tsx scripts/make-icons.ts');
    });
  });

  describe('checkColorIcon', () => {
    it('rejects a wrong size', () => {
      const png = drawOutlineIcon();
      assert.match(checkColorIcon(png).join('\n'), /must be 192×192 pixels, is 32×32/);
    });

    it('rejects a blank square', () => {
      assert.match(checkColorIcon(solid(192, [91, 63, 228, 255])).join('\n'), /single flat colour/);
    });
  });

  describe('checkOutlineIcon', () => {
    it('rejects a visible pixel that is not white', () => {
      const png = drawOutlineIcon();
      setPixel(png, 3, 4, [200, 200, 200, 255]);
      assert.match(checkOutlineIcon(png).join('\n'), /1 visible pixels are not white #FFFFFF, e.g. at \(3,4\)/);
    });

    it('rejects a half-transparent coloured pixel', () => {
      const png = drawOutlineIcon();
      setPixel(png, 0, 0, [91, 63, 228, 40]);
      assert.match(checkOutlineIcon(png).join('\n'), /not white/);
    });

    it('accepts transparent pixels of any colour', () => {
      const png = drawOutlineIcon();
      setPixel(png, 0, 0, [0, 0, 0, 0]);
      assert.deepEqual(checkOutlineIcon(png), []);
    });

    it('rejects an opaque background and an empty glyph', () => {
      assert.match(checkOutlineIcon(solid(32, [255, 255, 255, 255])).join('\n'), /no transparent pixels/);
      assert.match(checkOutlineIcon(solid(32, [255, 255, 255, 0])).join('\n'), /no opaque pixels/);
    });

    it('rejects a wrong size', () => {
      assert.match(checkOutlineIcon(readIcon('color.png')).join('\n'), /must be 32×32 pixels, is 192×192/);
    });
  });
});
