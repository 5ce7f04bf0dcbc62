/**
 * The figure layer: plain numbers in, publication-readable figures and tables out.
 */
export {
  renderFigure,
  saveFigure,
  figureLayout,
  PNG_PIXEL_RATIO,
  DEFAULT_PANEL_WIDTH,
  DEFAULT_PANEL_HEIGHT,
  FIGURE_TITLE_HEIGHT,
} from './figure.ts';
export type { Figure, Panel, Series, YScale, FigureLayout, Rect } from './figure.ts';
export type { FigureFormat } from './output.ts';
export { formatFromPath } from './output.ts';
export { chooseYScale, chooseLinthresh, preparePanel, AUTO_LOG_DECADES } from './panelData.ts';
export type { PreparedPanel, PreparedSeries, ResolvedYScale } from './panelData.ts';
export {
  renderHeatmap,
  saveHeatmap,
  heatmapGeometry,
  heatmapColorScale,
  HEATMAP_PIXEL_RATIO,
} from './heatmap.ts';
export type { HeatmapSpec, HeatmapGeometry, HeatmapColorScale } from './heatmap.ts';
export { contourLevels, marchingSquares } from './contours.ts';
export type { Segment } from './contours.ts';
export { markdownTable } from './markdownTable.ts';
export type { MarkdownTableOptions } from './markdownTable.ts';
export { formatNumber, formatTick } from './format.ts';
export { niceTicks, logTicks } from './ticks.ts';
export {
  OKABE_ITO,
  DASH_PATTERNS,
  POINT_STYLES,
  VIRIDIS_STOPS,
  seriesStyle,
  viridis,
  viridisRgb,
  hexToRgb,
  withAlpha,
} from './palette.ts';
export type { SeriesStyle, PointStyleName } from './palette.ts';
