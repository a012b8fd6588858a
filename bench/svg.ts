// Writes the page-latency chart (docs/page-latency.svg): page time against usage rows, rows on a log scale.

export interface PagePoint {
  readonly rows: number;
  readonly firstMs: number;
  readonly middleMs?: number;
}

const WIDTH = 640;
const HEIGHT = 360;
const LEFT = 64;
const RIGHT = 48;
const TOP = 40;
const BOTTOM = 56;

const escape = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A small line chart: one line for the first page, one for a page in the middle of the walk. */
export function pageLatencySvg(points: readonly PagePoint[], note: string): string {
  const minRows = Math.min(...points.map((p) => p.rows));
  const maxRows = Math.max(...points.map((p) => p.rows));
  const maxMs = Math.max(...points.flatMap((p) => [p.firstMs, p.middleMs ?? 0]));
  const step = niceStep(maxMs / 5);
  const top = Math.ceil((maxMs * 1.1) / step) * step;
  const x = (rows: number): number =>
    LEFT + ((Math.log10(rows) - Math.log10(minRows)) / (Math.log10(maxRows) - Math.log10(minRows))) * (WIDTH - LEFT - RIGHT);
  const y = (ms: number): number => HEIGHT - BOTTOM - (ms / top) * (HEIGHT - TOP - BOTTOM);

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="20" text-anchor="middle" font-size="14">GetCapacityReservationUsage page time (MaxResults=500) against usage rows</text>`,
  ];
  for (let ms = 0; ms <= top + step / 2; ms += step) {
    out.push(
      `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(ms).toFixed(1)}" y2="${y(ms).toFixed(1)}" stroke="#ddd"/>`,
      `<text x="${LEFT - 6}" y="${(y(ms) + 4).toFixed(1)}" text-anchor="end">${Number(ms.toPrecision(3))}</text>`,
    );
  }
  for (const p of points) {
    out.push(
      `<line x1="${x(p.rows).toFixed(1)}" x2="${x(p.rows).toFixed(1)}" y1="${TOP}" y2="${HEIGHT - BOTTOM}" stroke="#eee"/>`,
      `<text x="${x(p.rows).toFixed(1)}" y="${HEIGHT - BOTTOM + 16}" text-anchor="middle">${p.rows.toLocaleString("en-US")}</text>`,
    );
  }
  out.push(
    `<text x="${(LEFT + WIDTH - RIGHT) / 2}" y="${HEIGHT - BOTTOM + 34}" text-anchor="middle">usage rows in the reservation (log scale)</text>`,
    `<text transform="translate(16 ${(TOP + HEIGHT - BOTTOM) / 2}) rotate(-90)" text-anchor="middle">ms per page, one connection</text>`,
  );
  const series = [
    { name: "first page", color: "#1f77b4", values: points.map((p) => [p.rows, p.firstMs] as const) },
    {
      name: "page in the middle of the walk",
      color: "#d62728",
      values: points.flatMap((p) => (p.middleMs === undefined ? [] : [[p.rows, p.middleMs] as const])),
    },
  ];
  series.forEach((s, index) => {
    if (s.values.length === 0) return;
    const path = s.values.map(([rows, ms], i) => `${i === 0 ? "M" : "L"}${x(rows).toFixed(1)},${y(ms).toFixed(1)}`).join(" ");
    out.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    for (const [rows, ms] of s.values) {
      out.push(`<circle cx="${x(rows).toFixed(1)}" cy="${y(ms).toFixed(1)}" r="3.5" fill="${s.color}"><title>${rows} rows: ${ms.toFixed(3)} ms</title></circle>`);
    }
    out.push(
      `<rect x="${LEFT + 12}" y="${TOP + 6 + index * 18}" width="12" height="3" fill="${s.color}"/>`,
      `<text x="${LEFT + 30}" y="${TOP + 11 + index * 18}">${escape(s.name)}</text>`,
    );
  });
  out.push(`<text x="${WIDTH - RIGHT}" y="${HEIGHT - 6}" text-anchor="end" fill="#666" font-size="10">${escape(note)}</text>`, "</svg>");
  return `${out.join("\n")}\n`;
}

function niceStep(raw: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(raw || 1));
  const normal = raw / magnitude;
  return (normal <= 1 ? 1 : normal <= 2 ? 2 : normal <= 5 ? 5 : 10) * magnitude;
}
