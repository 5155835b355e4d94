import type { ExperimentReport, ReportEvent } from './compute-report.js';
import { renderComparisonText, renderReportText } from './render-text.js';

/**
 * The HTML report: one self-contained file (inline CSS and SVG, no scripts, no network), so it
 * opens anywhere and can be attached to a paper's artefacts. Charts over time: request rate and
 * errors, latency percentiles, CPU per node, replicas per zone; every event is a marker on each.
 */

type Point = [number, number | null];
interface Series {
  name: string;
  points: Point[];
  step?: boolean;
}
interface ChartSpec {
  id: string;
  title: string;
  unit: string;
  series: Series[];
  markers: readonly ReportEvent[];
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const W = 860;
const H = 260;
const PAD = { left: 60, right: 16, top: 28, bottom: 36 };

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

export function renderReportHtml(report: ExperimentReport): string {
  const title = `galileo report ${report.experiment.id}`;
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1>
<pre class="summary">${escapeHtml(renderReportText(report))}</pre>
${chartsFor([report])}
${eventTable(report)}`,
  );
}

/** Two experiments side by side: the figures with their change, and the charts overlaid (time since each start). */
export function renderComparisonHtml(a: ExperimentReport, b: ExperimentReport): string {
  const title = `galileo report ${a.experiment.id} vs ${b.experiment.id}`;
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1>
<pre class="summary">${escapeHtml(renderComparisonText(a, b))}</pre>
${chartsFor([a, b])}
<div class="side">
<div><h2>${escapeHtml(a.experiment.id)}</h2><pre class="summary">${escapeHtml(renderReportText(a))}</pre></div>
<div><h2>${escapeHtml(b.experiment.id)}</h2><pre class="summary">${escapeHtml(renderReportText(b))}</pre></div>
</div>`,
  );
}

function chartsFor(reports: readonly ExperimentReport[]): string {
  const label = (r: ExperimentReport, name: string) =>
    reports.length > 1 ? `${r.experiment.id} ${name}` : name;
  const markers = reports.length === 1 ? reports[0]!.markers : [];
  const zip = (t: number[], v: (number | null)[]): Point[] => t.map((x, i) => [x, v[i] ?? null]);
  const charts: ChartSpec[] = [
    {
      id: 'chart-rate',
      title: 'Request rate',
      unit: 'req/s',
      markers,
      series: reports.flatMap((r) => [
        { name: label(r, 'achieved'), points: zip(r.timeline.t, r.timeline.rate) },
        {
          name: label(r, 'errors'),
          points: zip(
            r.timeline.t,
            r.timeline.errors.map((e) => e / r.timeline.bucketS),
          ),
        },
      ]),
    },
    {
      id: 'chart-latency',
      title: 'Latency from the intended send time',
      unit: 'ms',
      markers,
      series: reports.flatMap((r) => [
        { name: label(r, 'p50'), points: zip(r.timeline.t, r.timeline.p50) },
        { name: label(r, 'p90'), points: zip(r.timeline.t, r.timeline.p90) },
        { name: label(r, 'p99'), points: zip(r.timeline.t, r.timeline.p99) },
      ]),
    },
    {
      id: 'chart-cpu',
      title: 'CPU per node',
      unit: '%',
      markers,
      series: reports.flatMap((r) =>
        Object.entries(r.cpuTimeline).map(([node, pts]) => ({ name: label(r, node), points: pts })),
      ),
    },
    {
      id: 'chart-replicas',
      title: 'Replicas per zone',
      unit: 'pods',
      markers,
      series: reports.flatMap((r) =>
        Object.entries(r.replicasTimeline).map(([zone, pts]) => ({
          name: label(r, zone),
          step: true,
          points: extendStep(pts, r.window.durationS),
        })),
      ),
    },
  ];
  return charts.map(lineChart).join('\n');
}

function extendStep(points: [number, number][], end: number | null): Point[] {
  const last = points[points.length - 1];
  if (!last || end === null || end <= last[0]) return points;
  return [...points, [end, last[1]]];
}

function lineChart(spec: ChartSpec): string {
  const all = spec.series.flatMap((s) => s.points).filter((p): p is [number, number] => p[1] !== null);
  const xs = [...all.map((p) => p[0]), ...spec.markers.map((m) => m.t)];
  const xMax = Math.max(1, ...xs);
  const yMax = niceMax(Math.max(0, ...all.map((p) => p[1])));
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const x = (v: number) => PAD.left + (Math.max(0, v) / xMax) * iw;
  const y = (v: number) => PAD.top + ih - (v / yMax) * ih;
  const parts: string[] = [];
  parts.push(
    `<text x="${PAD.left}" y="18" class="title">${escapeHtml(spec.title)} (${escapeHtml(spec.unit)})</text>`,
  );
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    parts.push(
      `<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/>`,
      `<text class="tick" x="${PAD.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${fmt(v)}</text>`,
    );
  }
  for (let i = 0; i <= 5; i++) {
    const v = (xMax * i) / 5;
    parts.push(
      `<text class="tick" x="${x(v).toFixed(1)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${fmt(v)} s</text>`,
    );
  }
  for (const m of spec.markers) {
    parts.push(
      `<line class="marker" data-event="${escapeHtml(m.name)}" x1="${x(m.t).toFixed(1)}" x2="${x(m.t).toFixed(1)}" y1="${PAD.top}" y2="${PAD.top + ih}"><title>${escapeHtml(`+${m.t.toFixed(1)} s ${m.name}`)}</title></line>`,
    );
  }
  spec.series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    for (const run of runs(s.points)) {
      const pts: string[] = [];
      run.forEach(([px, py], k) => {
        if (s.step && k > 0) pts.push(`${x(px).toFixed(1)},${y(run[k - 1]![1]).toFixed(1)}`);
        pts.push(`${x(px).toFixed(1)},${y(py).toFixed(1)}`);
      });
      parts.push(
        `<polyline class="series" data-series="${escapeHtml(s.name)}" fill="none" stroke="${colour}" stroke-width="1.6" points="${pts.join(' ')}"/>`,
      );
    }
  });
  const legend = spec.series
    .map(
      (s, i) => `<span><i style="background:${COLOURS[i % COLOURS.length]}"></i>${escapeHtml(s.name)}</span>`,
    )
    .join('');
  const empty =
    all.length === 0
      ? `<text class="empty" x="${W / 2}" y="${H / 2}" text-anchor="middle">no data</text>`
      : '';
  return `<figure class="chart" id="${spec.id}"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(spec.title)}">${parts.join('')}${empty}</svg><figcaption>${legend}</figcaption></figure>`;
}

/** Consecutive non-null points, so a gap (empty bucket) breaks the line instead of bridging it. */
function runs(points: readonly Point[]): [number, number][][] {
  const out: [number, number][][] = [];
  let current: [number, number][] = [];
  for (const [px, py] of points) {
    if (py === null) {
      if (current.length) out.push(current);
      current = [];
    } else current.push([px, py]);
  }
  if (current.length) out.push(current);
  return out;
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

function fmt(v: number): string {
  if (v >= 100 || Number.isInteger(v)) return String(Math.round(v));
  return v.toFixed(1);
}

function eventTable(report: ExperimentReport): string {
  if (report.markers.length === 0) return '<p>No events were recorded.</p>';
  const rows = report.markers
    .slice(0, 500)
    .map(
      (e) =>
        `<tr><td>+${e.t.toFixed(1)} s</td><td>${escapeHtml(e.name)}</td><td><code>${escapeHtml(truncate(JSON.stringify(e.value)))}</code></td></tr>`,
    )
    .join('');
  return `<h2>Events</h2><table class="events"><thead><tr><th>time</th><th>name</th><th>value</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const truncate = (s: string | undefined) => ((s ?? '').length > 200 ? `${s!.slice(0, 197)}…` : (s ?? ''));

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:920px}
pre.summary{background:#f6f6f6;padding:12px;overflow-x:auto;font-size:12px}
figure.chart{margin:16px 0}
svg .title{font-weight:600;font-size:13px}
svg .tick{font-size:10px;fill:#555}
svg .grid{stroke:#e4e4e4}
svg .marker{stroke:#999;stroke-dasharray:3 3}
svg .empty{fill:#999}
figcaption span{margin-right:14px;font-size:12px}
figcaption i{display:inline-block;width:10px;height:10px;margin-right:4px}
table.events{border-collapse:collapse;font-size:12px}
table.events td,table.events th{border-bottom:1px solid #eee;padding:2px 8px;text-align:left}
.side{display:flex;gap:16px}.side>div{flex:1;min-width:0}
</style></head><body>
${body}
</body></html>
`;
}
