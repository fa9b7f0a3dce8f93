// charts/handle.js — the chart handle every uPlot chart returns: its panels mounted on screen with
// a legend and a readout line, redrawn on resize (or one per animation frame while a job runs),
// their text equivalent as the plots' label, destroy(), and downloadPNG() through charts/export.js;
// plus the uPlot options and constructor call shared by the ROC and sweep charts.

import uPlot from '../../vendor/uplot/uPlot.esm.js';
import { el } from './common.js';
import { exportUPlot, toPNG, saveBlob } from './export.js';

// ---- the chart handle: panels on screen, readout, legend, text equivalent, PNG ----------------

/**
 * Mounts `panels` (each {build(U, mount, width) -> uPlot}) in `box`, with a legend and a readout
 * line under them. `meta` = {title, notes, legend: [{text, color, dash}], summary, describedBy}.
 * The plots carry role="img", the summary as their label and the tables as their description.
 */
export function mount(box, panels, meta) {
  box.replaceChildren();
  // Panels carry their own short titles; the figure's title (with the condition) heads them all.
  if (panels.length > 1) box.append(el('p', 'chart-title', meta.title));
  const row = el('div', `plots n${panels.length}`);
  const readout = el('p', 'readout');
  readout.id = `${box.id}-readout`;
  readout.setAttribute('aria-live', 'polite');
  readout.textContent = meta.hint || '';
  const legend = el('ul', 'chart-legend');
  for (const item of meta.legend) {
    const li = el('li');
    const sw = el('span', 'swatch');
    sw.setAttribute('aria-hidden', 'true');
    // CSSOM, not a style attribute: allowed by style-src 'self'.
    sw.style.borderTopColor = item.color;
    sw.style.borderTopStyle = item.dash ? 'dashed' : 'solid';
    li.append(sw, document.createTextNode(item.text));
    legend.append(li);
  }
  box.append(row, readout, legend);
  const holders = panels.map((p, i) => {
    const h = el('div', 'plot');
    h.id = `${box.id}-plot${i}`;
    h.setAttribute('role', 'img');
    h.setAttribute('aria-label', p.summary || meta.summary);
    if (meta.describedBy) h.setAttribute('aria-describedby', meta.describedBy);
    row.append(h);
    return h;
  });
  const width = () => (panels.length > 1 && row.clientWidth >= 700 ? (row.clientWidth - 16) / 2 : row.clientWidth);
  const plots = [];
  const build = (i) => { plots[i] = panels[i].build(uPlot, holders[i], width(), readout); };
  // `progressive` (a job's first points, while workers use every core): the frame now, then one
  // plot per animation frame, so no task of the page's main thread holds more than one first draw
  // of a plot (20-30 ms each; 1.5 times that in wall time when the workers take every core).
  let frame = 0;
  if (meta.progressive) {
    const next = () => {
      frame = 0;
      if (plots.length >= panels.length) return;
      build(plots.length);
      frame = requestAnimationFrame(next);
    };
    frame = requestAnimationFrame(next);
  } else panels.forEach((_, i) => build(i));
  // Redraw at the container's width when the layout changes (window resize, projector switch).
  let w0 = row.clientWidth;
  const ro = new ResizeObserver(() => {
    if (row.clientWidth === w0) return;
    w0 = row.clientWidth;
    plots.forEach((u, i) => u.setSize(panels[i].size(width())));
  });
  ro.observe(row);
  return {
    plots, holders, title: meta.title, notes: meta.notes, summary: meta.summary,
    destroy() { cancelAnimationFrame(frame); ro.disconnect(); plots.forEach((u) => u.destroy()); box.replaceChildren(); },
    async downloadPNG(filename) {
      const U = await exportUPlot();
      const off = el('div', 'offscreen');
      document.body.append(off);
      try {
        const copies = panels.map((p, i) => p.build(U, off.appendChild(el('div')), plots[i].width, null));
        await new Promise((r) => setTimeout(r, 0)); // uPlot commits its first draw in a microtask
        const blob = await toPNG(copies.map((u) => u.ctx.canvas), U.pxRatio, meta, panels.length > 1 && width() === row.clientWidth);
        copies.forEach((u) => u.destroy());
        saveBlob(blob, filename);
        return blob;
      } finally {
        off.remove();
      }
    },
  };
}

/** uPlot options shared by every plot (the legend is ours: HTML under the plots, and in the PNG). */
export function baseOpts(size, extra) {
  return { ...size, legend: { show: false }, ...extra };
}

// `U` is the uPlot constructor the plot is made with (the screen's or the 2x export copy).
export function create(U, opts, data, holder) {
  const u = new U(opts, data, holder);
  u.pxRatioOf = U.pxRatio; // for logSplits (uPlot draws first in a microtask, after this line)
  return u;
}
