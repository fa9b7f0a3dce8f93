// share.js — owns what leaves the page with a result: the link to it ("Copy link", which always
// describes the result SHOWN, its captured condition, never the form) and its downloads (JSON, CSV,
// PNG), named after that condition. It holds no state: main.js passes the form's state, the shown
// result ({mode, cond, payload}) and the chart on screen at each call.

import { toHash, conditionState, describeCondition } from './state.js';
import { mode, FIRST_MODE } from './modes/index.js';
import * as ui from './ui.js';
import { download } from './results.js';
import { toCSV } from './csv.js';

const $ = (id) => document.getElementById(id);

/** The link to what is SHOWN (its captured condition), never the form; the form only when nothing is. */
export function shareLink(state, shown) {
  // View keys travel too: the axes, and in a lecture the mode and the step (which runs on open).
  const view = { scale: state.scale, present: state.present, hide: state.hide, step: state.present ? state.step : 0 };
  const link = shown ? { ...conditionState(shown.cond), ...view } : { ...state, run: FIRST_MODE };
  return location.origin + location.pathname + location.search + toHash(link);
}

export async function copyLink(state, shown) {
  const url = shareLink(state, shown);
  $('btn-copy-link').dataset.link = url;
  const what = shown ? `the ${mode(shown.mode).label} shown (${describeCondition(shown.cond).text})`
    : 'a run with the current settings';
  try {
    await navigator.clipboard.writeText(url);
    ui.setShareStatus(`Link copied. Opening it starts ${what}: ${url}`);
  } catch {
    ui.setShareStatus(`Copy this link to ${what}: ${url}`);
  }
}

function fileStem(shown) {
  return describeCondition(shown.cond).slug;
}

/** Download JSON: the shown result's payload, as #results holds it. */
export function downloadJSON(shown) {
  if (shown) download(`${JSON.stringify(shown.payload, null, 2)}\n`, `${fileStem(shown)}.json`, 'application/json');
}

export function downloadCSV(shown) {
  if (!shown) return;
  const what = describeCondition(shown.cond).text;
  download(toCSV(shown.mode, shown.payload, what), `${fileStem(shown)}.csv`, 'text/csv');
}

/** Download PNG: the chart on screen; a log-log ROC chart says so in the file's name. */
export function downloadPNG(chart, shown, scale) {
  if (chart && shown) chart.downloadPNG(`${fileStem(shown)}${scale === 'log' && mode(shown.mode).view === 'roc' ? '-loglog' : ''}.png`);
}
