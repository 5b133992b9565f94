/**
 * Draws the Teams app icons into appPackage/: color.png (192×192, a violet rounded square with a
 * white speech bubble carrying a "k") and outline.png (32×32, the same bubble in white on
 * transparent, the "k" cut out). Run once after changing the artwork: `npx tsx scripts/make-icons.ts`.
 * Shapes are signed-distance functions sampled 4×4 per pixel, so edges are anti-aliased.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';

type Vec = readonly [number, number];
type Rgb = readonly [number, number, number];

/** Brand gradient; its midpoint #5C43E4 is the manifest's accentColor. */
const GRADIENT_TOP: Rgb = [0x74, 0x5c, 0xff];
const GRADIENT_BOTTOM: Rgb = [0x45, 0x2b, 0xc9];
const SUPERSAMPLE = 4;

function roundedBox(p: Vec, centre: Vec, half: Vec, radius: number): number {
  const qx = Math.abs(p[0] - centre[0]) - half[0] + radius;
  const qy = Math.abs(p[1] - centre[1]) - half[1] + radius;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
}

function capsule(p: Vec, a: Vec, b: Vec, radius: number): number {
  const pa: Vec = [p[0] - a[0], p[1] - a[1]];
  const ba: Vec = [b[0] - a[0], b[1] - a[1]];
  const h = Math.min(1, Math.max(0, (pa[0] * ba[0] + pa[1] * ba[1]) / (ba[0] * ba[0] + ba[1] * ba[1])));
  return Math.hypot(pa[0] - ba[0] * h, pa[1] - ba[1] * h) - radius;
}

function insideTriangle(p: Vec, [a, b, c]: readonly [Vec, Vec, Vec]): boolean {
  const side = (u: Vec, v: Vec): number => (v[0] - u[0]) * (p[1] - u[1]) - (v[1] - u[1]) * (p[0] - u[0]);
  const s1 = side(a, b);
  const s2 = side(b, c);
  const s3 = side(c, a);
  return (s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0);
}

interface Glyph {
  bubbleCentre: Vec;
  bubbleHalf: Vec;
  bubbleRadius: number;
  tail: readonly [Vec, Vec, Vec];
  stroke: number;
  /** Offset and scale of the "k" inside the bubble. */
  k: { origin: Vec; size: number };
}

function inBubble(p: Vec, g: Glyph): boolean {
  return roundedBox(p, g.bubbleCentre, g.bubbleHalf, g.bubbleRadius) <= 0 || insideTriangle(p, g.tail);
}

/** A geometric lowercase "k": stem, arm and leg, in a unit box scaled by `size`. */
function inK(p: Vec, g: Glyph): boolean {
  const at = (x: number, y: number): Vec => [g.k.origin[0] + x * g.k.size, g.k.origin[1] + y * g.k.size];
  const r = g.stroke;
  return (
    capsule(p, at(0.0, 0.0), at(0.0, 1.0), r) <= 0 ||
    capsule(p, at(0.06, 0.66), at(0.56, 0.3), r) <= 0 ||
    capsule(p, at(0.2, 0.56), at(0.58, 1.0), r) <= 0
  );
}

const COLOR_GLYPH: Glyph = {
  bubbleCentre: [0.5, 0.46],
  bubbleHalf: [0.3, 0.23],
  bubbleRadius: 0.1,
  tail: [
    [0.27, 0.6],
    [0.46, 0.66],
    [0.24, 0.83],
  ],
  stroke: 0.042,
  k: { origin: [0.412, 0.31], size: 0.3 },
};

const OUTLINE_GLYPH: Glyph = {
  bubbleCentre: [0.5, 0.44],
  bubbleHalf: [0.45, 0.36],
  bubbleRadius: 0.16,
  tail: [
    [0.1, 0.62],
    [0.42, 0.78],
    [0.06, 0.97],
  ],
  stroke: 0.07,
  k: { origin: [0.36, 0.2], size: 0.48 },
};

type Shade = (p: Vec) => { rgb: Rgb; alpha: number };

function render(size: number, shade: Shade): PNG {
  const png = new PNG({ width: size, height: size });
  const n = SUPERSAMPLE;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0,
        gr = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const s = shade([(x + (sx + 0.5) / n) / size, (y + (sy + 0.5) / n) / size]);
          r += s.rgb[0] * s.alpha;
          gr += s.rgb[1] * s.alpha;
          b += s.rgb[2] * s.alpha;
          a += s.alpha;
        }
      }
      const i = (y * size + x) * 4;
      png.data[i] = a === 0 ? 255 : Math.round(r / a);
      png.data[i + 1] = a === 0 ? 255 : Math.round(gr / a);
      png.data[i + 2] = a === 0 ? 255 : Math.round(b / a);
      png.data[i + 3] = Math.round((a / (n * n)) * 255);
    }
  }
  return png;
}

function gradient(p: Vec): Rgb {
  const t = Math.min(1, Math.max(0, (p[0] + p[1]) / 2));
  const mix = (c: 0 | 1 | 2): number => GRADIENT_TOP[c] + (GRADIENT_BOTTOM[c] - GRADIENT_TOP[c]) * t;
  return [mix(0), mix(1), mix(2)];
}

/** 192×192 full-colour icon: violet rounded square, white bubble, violet "k". */
export function drawColorIcon(): PNG {
  return render(192, (p) => {
    if (roundedBox(p, [0.5, 0.5], [0.5, 0.5], 0.22) > 0) return { rgb: [255, 255, 255], alpha: 0 };
    const white = inBubble(p, COLOR_GLYPH) && !inK(p, COLOR_GLYPH);
    return { rgb: white ? [255, 255, 255] : gradient(p), alpha: 1 };
  });
}

/** 32×32 outline icon: white bubble with the "k" cut out, on transparent. */
export function drawOutlineIcon(): PNG {
  return render(32, (p) => ({
    rgb: [255, 255, 255],
    alpha: inBubble(p, OUTLINE_GLYPH) && !inK(p, OUTLINE_GLYPH) ? 1 : 0,
  }));
}

function main(): void {
  const dir = path.resolve(__dirname, '..', 'appPackage');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'color.png'), PNG.sync.write(drawColorIcon()));
  fs.writeFileSync(path.join(dir, 'outline.png'), PNG.sync.write(drawOutlineIcon()));
  process.stdout.write(`wrote ${path.join(dir, 'color.png')} and ${path.join(dir, 'outline.png')}\n`);
}

if (require.main === module) main();
