/**
 * Colours for label maps, shared by the PNG montages and the web viewer so an organ looks the same
 * everywhere. The first 13 follow the BTCV organ order; later labels cycle through a hue wheel.
 */
const named: [number, number, number][] = [
  [0, 0, 0],
  [157, 108, 162], // spleen
  [185, 102, 83], // right kidney
  [185, 102, 83], // left kidney
  [0, 255, 0], // gallbladder
  [211, 171, 143], // esophagus
  [221, 130, 101], // liver
  [255, 255, 0], // stomach
  [255, 0, 0], // aorta
  [0, 0, 255], // inferior vena cava
  [0, 200, 255], // portal and splenic vein
  [244, 214, 49], // pancreas
  [230, 130, 230], // right adrenal gland
  [230, 130, 230], // left adrenal gland
  [255, 128, 0], // duodenum (AMOS 13)
  [0, 160, 160], // bladder (AMOS 14)
];

/** RGB colour (0–255) of label `label`; label 0 is black (background). */
export function labelColor(label: number): [number, number, number] {
  const known = named[label];
  if (known) return known;
  const hue = (label * 137.508) % 360;
  return hslToRgb(hue, 0.7, 0.55);
}

function hslToRgb(hue: number, saturation: number, lightness: number): [number, number, number] {
  const c = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const x = c * (1 - Math.abs(((hue / 60) % 2) - 1));
  const m = lightness - c / 2;
  const [r, g, b] =
    hue < 60
      ? [c, x, 0]
      : hue < 120
        ? [x, c, 0]
        : hue < 180
          ? [0, c, x]
          : hue < 240
            ? [0, x, c]
            : hue < 300
              ? [x, 0, c]
              : [c, 0, x];
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}

/** `#rrggbb` for CSS. */
export function labelColorHex(label: number): string {
  return `#${labelColor(label)
    .map((v) => v.toString(16).padStart(2, '0'))
    .join('')}`;
}
