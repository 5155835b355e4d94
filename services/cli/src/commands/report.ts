import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  computeReport,
  loadExperimentData,
  renderComparisonHtml,
  renderComparisonText,
  renderReportHtml,
  renderReportText,
  type ExperimentReport,
} from '@galileo/report';
import type { CliContext } from '../cli-context.js';
import { CliError } from '../cli-error.js';

export interface ReportOptions {
  /** Where the HTML report goes; false = none. */
  html?: string | boolean;
  json?: boolean;
}

export async function reportFor(ctx: CliContext, id: string): Promise<ExperimentReport> {
  const data = await loadExperimentData(await ctx.db(), id);
  if (!data)
    throw new CliError(
      `no experiment ${id} in the experiment database: list them with galileo experiments ls`,
    );
  return computeReport(data);
}

/** `galileo report <id> [<other>]`: the terminal summary (or JSON) and the HTML file. */
export async function printReport(
  ctx: CliContext,
  ids: readonly string[],
  options: ReportOptions,
): Promise<void> {
  const reports = await Promise.all(ids.map((id) => reportFor(ctx, id)));
  const [a, b] = reports as [ExperimentReport, ExperimentReport | undefined];
  if (options.json) {
    ctx.io.out(`${JSON.stringify(b ? [a, b] : a, null, 2)}\n`);
  } else {
    ctx.io.out(b ? renderComparisonText(a, b) : renderReportText(a));
  }
  if (options.html === false) return;
  const path = resolve(
    typeof options.html === 'string'
      ? options.html
      : b
        ? `galileo-report-${a.experiment.id}-vs-${b.experiment.id}.html`
        : `galileo-report-${a.experiment.id}.html`,
  );
  await writeFile(path, b ? renderComparisonHtml(a, b) : renderReportHtml(a));
  ctx.io.err(`HTML report: ${path}\n`);
}
