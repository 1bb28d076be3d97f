// A line chart of numbers over time with uPlot, in its own lazily loaded chunk (see lazy-chart.tsx):
// created once per set of series, fed new data in place, and as wide as its container.
import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface TimeChartProps {
  /** Series names, in the order of data[1..]. */
  labels: string[];
  /** uPlot's aligned data: x in seconds since the epoch, then one array per series (null for a gap). */
  data: [number[], ...(number | null)[][]];
  /** The y axis' and legend's format. */
  format: (value: number) => string;
  /** CSS colours per series, cycled. */
  colours?: string[];
  height?: number;
}

const DEFAULT_COLOURS = ['#1a7f37', '#c0392b', '#9a6700', '#0b5cad', '#6f42c1', '#57606a'];

export default function TimeChart(props: TimeChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | undefined>(undefined);
  const labelsKey = props.labels.join('\u0000');

  useEffect(() => {
    const element = container.current!;
    const colours = props.colours ?? DEFAULT_COLOURS;
    const plot = new uPlot(
      {
        width: Math.max(200, element.clientWidth),
        height: props.height ?? 200,
        series: [
          {},
          ...props.labels.map((label, index) => ({
            label,
            stroke: colours[index % colours.length],
            width: 2,
            value: (_self: uPlot, value: number | null) => (value === null ? '—' : props.format(value)),
          })),
        ],
        axes: [{}, { values: (_self, ticks) => ticks.map(props.format), size: 80 }],
        scales: {
          // One point: a minute each side (uPlot would stretch the axis a day of milliseconds, read as seconds: years).
          x: { time: true, range: (self, min, max) => (self.data[0].length === 1 ? [self.data[0][0]! - 60, self.data[0][0]! + 60] : [min, max]) },
          y: { range: (_self, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
        },
      },
      props.data as uPlot.AlignedData,
      element,
    );
    chart.current = plot;
    // Resized only when the width changed: resizing the chart itself must not feed the observer a loop.
    const resize = new ResizeObserver(() => {
      const width = Math.max(200, element.clientWidth);
      if (width !== plot.width) plot.setSize({ width, height: props.height ?? 200 });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
      chart.current = undefined;
    };
  }, [labelsKey]);

  useEffect(() => {
    chart.current?.setData(props.data as uPlot.AlignedData);
  }, [props.data]);

  return <div ref={container} class="time-chart" />;
}
