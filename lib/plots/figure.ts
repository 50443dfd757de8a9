import type { Data, Layout } from "plotly.js-dist-min";

/** A Plotly figure spec: what every figure builder in lib/ returns (pure data, no DOM). */
export interface Figure {
  data: Data[];
  layout: Partial<Layout>;
}
