/** Server-rendered SVG charts: plain shapes and presentation attributes (the admin's CSP allows no inline styles). */

const fmt = (n: number) => n.toLocaleString("en-US");

export interface Series {
  name: string;
  colour: string;
  values: number[];
}

/** A line chart of daily figures, one polyline per series, first and last date under it. */
export const LineChart = ({ title, labels, series }: { title: string; labels: string[]; series: Series[] }) => {
  const w = 720;
  const h = 200;
  const pad = { l: 48, r: 12, t: 30, b: 28 };
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const x = (i: number) => pad.l + (labels.length <= 1 ? 0 : (i * (w - pad.l - pad.r)) / (labels.length - 1));
  const y = (v: number) => pad.t + (h - pad.t - pad.b) * (1 - v / max);
  return (
    <svg class="chart" viewBox={`0 0 ${w} ${h}`} role="img" aria-label={title} xmlns="http://www.w3.org/2000/svg">
      <title safe>{title}</title>
      <line x1={pad.l} y1={y(0)} x2={w - pad.r} y2={y(0)} stroke="#999" stroke-width="1" />
      <line x1={pad.l} y1={y(max)} x2={w - pad.r} y2={y(max)} stroke="#ddd" stroke-width="1" stroke-dasharray="4 4" />
      <text x={pad.l - 6} y={y(max) + 4} text-anchor="end" font-size="11" fill="#666" safe>{fmt(max)}</text>
      <text x={pad.l - 6} y={y(0) + 4} text-anchor="end" font-size="11" fill="#666">0</text>
      {series.map((s) => (
        <polyline fill="none" stroke={s.colour} stroke-width="2" points={s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ")} />
      ))}
      <text x={pad.l} y={h - 8} font-size="11" fill="#666" safe>{labels[0] ?? ""}</text>
      <text x={w - pad.r} y={h - 8} font-size="11" fill="#666" text-anchor="end" safe>{labels[labels.length - 1] ?? ""}</text>
      {series.map((s, i) => (
        <>
          <rect x={pad.l + 8 + i * 110} y="6" width="10" height="10" fill={s.colour} />
          <text x={pad.l + 22 + i * 110} y="15" font-size="11" fill="#333" safe>{s.name}</text>
        </>
      ))}
    </svg>
  );
};

export interface Bar {
  label: string;
  views: number;
  clicks: number;
}

/** Horizontal bars: page views (wide, pale) with click-outs (narrow, dark) over them, labelled "views / click-outs". */
export const BarChart = ({ title, bars, clicksOnly = false }: { title: string; bars: Bar[]; clicksOnly?: boolean }) => {
  const rowH = 22;
  const w = 720;
  const labelW = 200;
  const h = Math.max(1, bars.length) * rowH + 8;
  const max = Math.max(1, ...bars.map((b) => Math.max(b.views, b.clicks)));
  const len = (v: number) => ((w - labelW - 90) * v) / max;
  return (
    <svg class="chart" viewBox={`0 0 ${w} ${h}`} role="img" aria-label={title} xmlns="http://www.w3.org/2000/svg">
      <title safe>{title}</title>
      {bars.map((b, i) => (
        <>
          <text x={labelW - 8} y={i * rowH + 16} text-anchor="end" font-size="12" fill="#333" safe>{b.label.length > 30 ? `${b.label.slice(0, 29)}…` : b.label}</text>
          <rect x={labelW} y={i * rowH + 4} width={len(b.views).toFixed(1)} height="16" fill="#9ec5fe" />
          <rect x={labelW} y={i * rowH + 9} width={len(b.clicks).toFixed(1)} height="6" fill="#0a58ca" />
          <text x={labelW + len(Math.max(b.views, b.clicks)) + 6} y={i * rowH + 16} font-size="11" fill="#666" safe>{clicksOnly ? fmt(b.clicks) : `${fmt(b.views)} / ${fmt(b.clicks)}`}</text>
        </>
      ))}
    </svg>
  );
};
