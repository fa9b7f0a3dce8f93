// csv.js — owns the CSV downloads: the numbers behind every chart, one row per ROC point (a run, or
// each run of a comparison with its protocol), per run of a sweep value, per cell and seed of a
// matrix, and per run of every frontier point (protocol, defence, strength, seed). The first line
// is `# MemberLens <mode>: <condition>`. A number the run could not measure (a TPR at an FPR below
// one non-member's share: null in the JSON) is an empty field, never the text "null".

/** One CSV field: numbers as JavaScript prints them (every digit kept), null or undefined empty. */
export function field(v) {
  if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const row = (values) => values.map(field).join(',');

/** CSV of the numbers behind the chart of `mode` (#results' payload), headed by `condition`. */
export function toCSV(mode, payload, condition = '') {
  const head = condition ? `# MemberLens ${mode}: ${condition}\n` : '';
  return head + csvBody(mode, payload);
}

/** The strongest attack of a run (a sweep's, matrix cell's or frontier point's): name, ROC-AUC, TPR at 1% FPR. */
const strongest = (r) => [r.strongest?.attack, r.strongest?.roc_auc, r.strongest?.tpr_at_1pct];

function csvBody(mode, payload) {
  const rows = [];
  if (mode === 'matrix') {
    rows.push('shadow,target,seed,roc_auc,tpr_at_1pct_fpr,tpr_at_0.1pct_fpr,strongest_attack,strongest_roc_auc,strongest_tpr_at_1pct_fpr');
    for (const c of payload.cells) {
      for (const r of c.runs) rows.push(row([c.shadow, c.target, r.seed, r.roc_auc, r.tpr_at_fpr['0.01'], r.tpr_at_fpr['0.001'], ...strongest(r)]));
    }
  } else if (mode === 'compare') {
    rows.push('protocol,threshold,fpr,tpr');
    for (const r of payload.runs) {
      const { fpr, tpr, thresholds } = r.roc;
      for (let i = 0; i < fpr.length; i++) rows.push(row([r.config.protocol, thresholds[i], fpr[i], tpr[i]]));
    }
  } else if (mode === 'single') {
    const { fpr, tpr, thresholds } = payload.roc;
    rows.push('threshold,fpr,tpr');
    for (let i = 0; i < fpr.length; i++) rows.push(row([thresholds[i], fpr[i], tpr[i]]));
  } else if (mode === 'frontier') {
    return frontierBody(payload);
  } else {
    const sw = payload.sweep;
    rows.push(`${sw.param},seed,roc_auc,tpr_at_1pct_fpr,tpr_at_0.1pct_fpr,balanced_accuracy,recall_at_n,strongest_attack,strongest_roc_auc,strongest_tpr_at_1pct_fpr`);
    for (const p of sw.points) {
      for (const r of p.runs) {
        rows.push(row([p.value, r.seed, r.roc_auc, r.tpr_at_fpr['0.01'], r.tpr_at_fpr['0.001'], r.balanced_accuracy, r.recall_at_n, ...strongest(r)]));
      }
    }
  }
  return `${rows.join('\n')}\n`;
}

/** A frontier: one row per run (seed) of every point of every panel, the undefended and natural runs included. */
function frontierBody(f) {
  const rows = ['protocol,defence,strength,parameter_value,epochs,seed,strongest_attack,strongest_roc_auc,strongest_tpr_at_1pct_fpr,'
    + 'roc_auc,tpr_at_1pct_fpr,naive_roc_auc,recall_at_n'];
  const add = (protocol, d, s, pv, ep, r) => rows.push(row([protocol, d, s, pv, ep, r.seed, ...strongest(r),
    r.roc_auc, r.tpr_at_fpr['0.01'], r.naive_roc_auc, r.recall_at_n]));
  for (const panel of f.panels) {
    const p = panel.protocol;
    for (const r of panel.undefended.runs || []) add(p, 'none', 0, '', '', r);
    for (const d of panel.defences) for (const pt of d.points) for (const r of pt.runs) add(p, d.defence, pt.strength, pt.parameter_value, '', r);
    for (const pt of panel.natural) for (const r of pt.runs) add(p, `natural-${pt.init}`, '', '', pt.epochs, r);
  }
  return `${rows.join('\n')}\n`;
}
