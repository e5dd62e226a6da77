import 'uplot/dist/uPlot.min.css';
import { Box, Group, Table, Text, VisuallyHidden } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

/** One drawn series: its label, colour and values (one per x). */
export interface ChartSeries {
  label: string;
  color: string;
  values: number[];
}

export interface UPlotChartProps {
  /** Names the chart for assistive technology and labels its data table. */
  title: string;
  /** A sentence summarising what the chart shows (its text alternative). */
  summary: string;
  /** The x values: Unix seconds for time charts, 0…n−1 for category bars. */
  x: number[];
  /** Labels of the x values in the data table (a date, an endpoint). */
  xLabels: string[];
  series: ChartSeries[];
  /** Bars over categories (x = index, axis labels from xLabels) instead of lines over time. */
  bars?: boolean;
  height?: number;
  formatValue?: (value: number) => string;
}

/**
 * uPlot drawn into a canvas sized to its container, redrawn when its data or width changes. The
 * canvas is an image to assistive technology, labelled by `summary`; the same numbers are in a
 * visually hidden table.
 */
export function UPlotChart({ title, summary, x, xLabels, series, bars = false, height = 220, formatValue = String }: UPlotChartProps) {
  const { ref: sizeRef, width } = useElementSize<HTMLDivElement>();
  const target = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    if (!target.current || width <= 0) return undefined;
    const options: uPlot.Options = {
      width: Math.floor(width),
      height,
      legend: { show: false },
      scales: {
        x: { time: !bars, ...(bars ? { range: [-0.5, x.length - 0.5] as uPlot.Range.MinMax } : {}) },
        y: { range: (_self, _min, max) => [0, Math.max(1, max * 1.1)] },
      },
      axes: [
        bars ? { values: (_self, ticks) => ticks.map((tick) => xLabels[tick] ?? ''), splits: () => x, gap: 4, size: 40 } : {},
        { values: (_self, ticks) => ticks.map((tick) => formatValue(tick)), size: 60 },
      ],
      series: [
        {},
        ...series.map((one) => ({
          label: one.label,
          stroke: one.color,
          width: bars ? 0 : 2,
          fill: bars ? one.color : undefined,
          paths: bars ? uPlot.paths.bars!({ size: [0.6, 64] }) : undefined,
          points: { show: false },
        })),
      ],
    };
    const data: uPlot.AlignedData = [x, ...series.map((one) => one.values)];
    plot.current?.destroy();
    plot.current = new uPlot(options, data, target.current);
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
  }, [width, height, bars, x, xLabels, series, formatValue]);

  return (
    <Box ref={sizeRef}>
      <div ref={target} role="img" aria-label={`${title}: ${summary}`} data-testid={`chart-${title}`} />
      <Group gap="md" mt={4} aria-hidden="true">
        {series.map((one) => (
          <Group key={one.label} gap={6}>
            <Box w={12} h={12} style={{ background: one.color, borderRadius: 2 }} />
            <Text size="xs">{one.label}</Text>
          </Group>
        ))}
      </Group>
      <VisuallyHidden>
        <Table>
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">{bars ? 'Item' : 'Day'}</th>
              {series.map((one) => (
                <th scope="col" key={one.label}>
                  {one.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {xLabels.map((label, index) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                {series.map((one) => (
                  <td key={one.label}>{formatValue(one.values[index] ?? 0)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </Table>
      </VisuallyHidden>
    </Box>
  );
}
