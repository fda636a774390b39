// Draws a Grafana dashboard (the JSON of sdk/cluster/monitoring/dashboards.ts)
// as a PNG: its panels where gridPos puts them, in Grafana's dark theme, each
// target's series as lines (timeseries) or the last value (stat). Not Grafana:
// a picture for docs/monitoring.md (render-dashboards.ts feeds it real series).
import fs from "node:fs";
import path from "node:path";
import * as PImage from "pureimage";
import type { Dashboard, DashboardPanel } from "../../sdk/cluster/monitoring/dashboards";

export interface Series {
  legend: string;
  /** [unix seconds, value] */
  points: [number, number][];
}

/** Each panel's series, by panel id. */
export type PanelData = Map<number, Series[]>;

const COLUMN = 64; // px per grid column (24 columns)
const ROW = 34; // px per grid row
const HEADER = 44;
const THEME = {
  page: "#111217",
  panel: "#181b1f",
  border: "#2c3235",
  text: "#ccccdc",
  dim: "#8e8e9e",
  grid: "#2c3235",
};
const PALETTE = [
  "#73bf69",
  "#f2cc0c",
  "#8ab8ff",
  "#ff780a",
  "#f2495c",
  "#5794f2",
  "#b877d9",
  "#705da0",
  "#37872d",
];

let fontReady = false;
function loadFont(): void {
  if (fontReady) return;
  const dir = path.join(path.dirname(require.resolve("dejavu-fonts-ttf/package.json")), "ttf");
  PImage.registerFont(path.join(dir, "DejaVuSans.ttf"), "DejaVu Sans").loadSync();
  PImage.registerFont(path.join(dir, "DejaVuSans-Bold.ttf"), "DejaVu Sans Bold").loadSync();
  fontReady = true;
}

/** Grafana-like short formats of the units the dashboards use. */
export function formatValue(v: number, unit: string): string {
  if (!Number.isFinite(v)) return "-";
  if (unit === "percent") return `${v.toFixed(v < 10 ? 1 : 0)}%`;
  const scaled = (n: number, units: string[], base: number) => {
    let i = 0;
    while (Math.abs(n) >= base && i < units.length - 1) {
      n /= base;
      i++;
    }
    return `${n.toFixed((Math.abs(n) < 10 && i > 0) || (!Number.isInteger(n) && Math.abs(n) < 100) ? 1 : 0)}${units[i]}`;
  };
  if (unit === "Bps") return `${scaled(v, [" B/s", " kB/s", " MB/s", " GB/s"], 1000)}`;
  return scaled(v, ["", "K", "M", "G"], 1000);
}

type Ctx = ReturnType<ReturnType<typeof PImage.make>["getContext"]>;

function text(ctx: Ctx, s: string, x: number, y: number, size: number, color: string, bold = false): void {
  ctx.fillStyle = color;
  ctx.font = `${size}pt ${bold ? "DejaVu Sans Bold" : "DejaVu Sans"}`;
  ctx.fillText(s, x, y);
}

function line(ctx: Ctx, x1: number, y1: number, x2: number, y2: number, color: string, width = 1): void {
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x2, y2);
  ctx.stroke();
}

function drawStat(
  ctx: Ctx,
  panel: DashboardPanel,
  series: Series[],
  x: number,
  y: number,
  w: number,
  h: number,
) {
  const last = series.map((s) => s.points.at(-1)?.[1]).find((v) => v !== undefined);
  const value = last === undefined ? "No data" : formatValue(last, panel.fieldConfig.defaults.unit);
  text(
    ctx,
    value,
    x + w / 2 - value.length * 11,
    y + h / 2 + 22,
    30,
    last === undefined ? THEME.dim : PALETTE[0],
    true,
  );
}

function drawTimeseries(
  ctx: Ctx,
  panel: DashboardPanel,
  series: Series[],
  x: number,
  y: number,
  w: number,
  h: number,
): void {
  const unit = panel.fieldConfig.defaults.unit;
  const plot = { x: x + 70, y: y + 40, w: w - 86, h: h - 40 - 30 - 18 * Math.ceil(series.length / 3) };
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) {
    text(ctx, "No data", x + w / 2 - 30, y + h / 2, 12, THEME.dim);
    return;
  }
  const t0 = Math.min(...all.map((p) => p[0]));
  const t1 = Math.max(...all.map((p) => p[0]));
  let v0 = Math.min(0, ...all.map((p) => p[1]));
  let v1 = panel.fieldConfig.defaults.max ?? Math.max(...all.map((p) => p[1]));
  if (v1 <= v0) v1 = v0 + 1;
  if (panel.fieldConfig.defaults.max === undefined) v1 *= 1.1;
  v0 = Math.min(v0, 0);
  const px = (t: number) => plot.x + ((t - t0) / Math.max(1, t1 - t0)) * plot.w;
  const py = (v: number) => plot.y + plot.h - ((v - v0) / (v1 - v0)) * plot.h;
  for (let i = 0; i <= 4; i++) {
    const v = v0 + ((v1 - v0) * i) / 4;
    line(ctx, plot.x, py(v), plot.x + plot.w, py(v), THEME.grid);
    text(ctx, formatValue(v, unit), x + 8, py(v) + 4, 8, THEME.dim);
  }
  for (let i = 0; i <= 4; i++) {
    const t = t0 + ((t1 - t0) * i) / 4;
    const d = new Date(t * 1000);
    const label = `${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}:${String(d.getUTCSeconds()).padStart(2, "0")}`;
    text(ctx, label, px(t) - 24, plot.y + plot.h + 16, 8, THEME.dim);
  }
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    for (let j = 1; j < s.points.length; j++) {
      const [ta, va] = s.points[j - 1];
      const [tb, vb] = s.points[j];
      // A gap in the data (a missing scrape) is not drawn across.
      if (tb - ta <= 30) line(ctx, px(ta), py(va), px(tb), py(vb), color, 2);
    }
    const lx = x + 16 + (i % 3) * ((w - 32) / 3);
    const ly = plot.y + plot.h + 36 + Math.floor(i / 3) * 18;
    ctx.fillStyle = color;
    ctx.fillRect(lx, ly - 8, 14, 4);
    text(ctx, s.legend.slice(0, 34), lx + 20, ly, 8, THEME.text);
  });
}

/** Writes the dashboard with its data to `file` (PNG). */
export async function drawDashboard(
  dashboard: Dashboard,
  data: PanelData,
  file: string,
  note: string,
): Promise<void> {
  loadFont();
  const rows = Math.max(...dashboard.panels.map((p) => p.gridPos.y + p.gridPos.h));
  const width = 24 * COLUMN;
  const height = HEADER + rows * ROW + 8;
  const img = PImage.make(width, height);
  const ctx = img.getContext("2d");
  ctx.fillStyle = THEME.page;
  ctx.fillRect(0, 0, width, height);
  text(ctx, dashboard.title, 12, 28, 14, THEME.text, true);
  text(ctx, note, width - 12 - note.length * 7, 28, 9, THEME.dim);
  for (const panel of dashboard.panels) {
    const x = panel.gridPos.x * COLUMN + 4;
    const y = HEADER + panel.gridPos.y * ROW + 4;
    const w = panel.gridPos.w * COLUMN - 8;
    const h = panel.gridPos.h * ROW - 8;
    ctx.fillStyle = THEME.panel;
    ctx.fillRect(x, y, w, h);
    ctx.strokeStyle = THEME.border;
    ctx.lineWidth = 1;
    ctx.strokeRect(x, y, w, h);
    text(ctx, panel.title, x + 10, y + 22, 10, THEME.text, true);
    const series = data.get(panel.id) ?? [];
    if (panel.type === "stat") drawStat(ctx, panel, series, x, y, w, h);
    else drawTimeseries(ctx, panel, series, x, y, w, h);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await PImage.encodePNGToStream(img, fs.createWriteStream(file));
}
