// charts.js — owns every chart: the ROC curves of single runs (the current one, a comparison and
// pinned runs, linear or log-log), the sweep charts (ROC-AUC and TPR@1% FPR in two panels, each
// with its own chance line, mean ± 1 std over seeds, drawn point by point while a sweep runs), the
// transfer matrix's heatmap (one fixed colour scale, the value written in every cell, the diagonal
// outlined), their hover / keyboard readouts, text equivalents for screen readers, and their 2×
// PNG export. Curves use the vendored uPlot (www/vendor/uplot, MIT), the heatmap a plain canvas;
// nothing is fetched elsewhere, and no style attribute is ever written as markup (the page's CSP
// forbids inline styles).
//
// This module is the charts' public face: the code lives in www/js/charts/ (common.js: colours,
// fonts, axes and canvas helpers; handle.js: the chart handle; roc.js; sweep.js; heatmap.js;
// export.js: the 2× PNG; frontier.js: a frontier panel's canvas, painted for js/frontier.js), and
// everything the page and the tests import is re-exported from here.

export { COLOURS, CURVE_STYLES } from './charts/common.js';
export { drawRoc, rocReadout } from './charts/roc.js';
export { drawSweep, warmUp, sweepReadout } from './charts/sweep.js';
export { HEAT, HEAT_RANGE, heatColour, heatInk, matrixReadout, drawMatrix } from './charts/heatmap.js';
export { DEFENCE_STYLES, paintFrontierPanel, frontierRanges } from './charts/frontier.js';
