// A TimeChart in a figure, loading uPlot's chunk on first use so the first load stays small; the
// figure's caption and the page's own numbers carry the meaning for readers who cannot see the chart.
import type { FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { TimeChartProps } from './time-chart.tsx';

let loading: Promise<FunctionComponent<TimeChartProps>> | undefined;

export function LazyTimeChart(props: TimeChartProps & { caption: string }) {
  const [chart, setChart] = useState<{ component?: FunctionComponent<TimeChartProps>; error?: Error }>({});
  useEffect(() => {
    loading ??= import('./time-chart.tsx').then((module) => module.default);
    loading.then(
      (component) => setChart({ component }),
      (error: Error) => {
        loading = undefined;
        setChart({ error });
      },
    );
  }, []);
  const { caption, ...chartProps } = props;
  const Chart = chart.component;
  return (
    <figure class="chart">
      <figcaption>{caption}</figcaption>
      {Chart ? (
        <Chart {...chartProps} />
      ) : (
        <p class="state" role="status">
          {chart.error ? `The chart could not load: ${chart.error.message}` : 'Loading chart…'}
        </p>
      )}
    </figure>
  );
}
