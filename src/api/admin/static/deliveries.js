// Undelivered results on the dashboard: dead and permanently failed deliveries with their reason
// and a one-click Replay (the outbox sends them again from the start).
import { enc, get, post } from './api.js';
import { formatTime, h, shortUid } from './dom.js';
import { announce, writeButton } from './state.js';

export async function undeliveredTable(ctx) {
  const [dead, failed] = await Promise.all([get('/api/deliveries?state=dead&limit=50'), get('/api/deliveries?state=failed-permanent&limit=50')]);
  const rows = [...dead, ...failed].sort((a, b) => b.id - a.id);
  if (rows.length === 0) return h('p', { class: 'empty' }, 'Every result was delivered or is still being retried.');
  return h('table', { class: 'deliveries' },
    h('thead', {}, h('tr', {}, ['Delivery', 'State', 'Destination', 'Object', 'Attempts', 'Reason', 'Updated', ''].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows.map((d) => h('tr', { dataset: { deliveryId: String(d.id) } },
      h('td', { class: 'mono' }, `#${d.id}`, d.jobId ? h('div', { class: 'subtle' }, `job #${d.jobId}`) : null),
      h('td', {}, h('span', { class: 'badge failed' }, d.state)),
      h('td', {}, d.destinationId),
      h('td', { class: 'mono', title: d.sopInstanceUid }, shortUid(d.sopInstanceUid)),
      h('td', {}, String(d.attempts)),
      h('td', { class: 'reason' }, d.lastError ?? '—'),
      h('td', {}, formatTime(new Date(d.updatedAt).toISOString())),
      h('td', { class: 'row-actions' }, writeButton('Replay', replay(d, ctx), { 'aria-label': `Replay delivery ${d.id}` }))))));
}

function replay(delivery, ctx) {
  return async () => {
    try {
      await post(`/api/deliveries/${enc(delivery.id)}/replay`);
      await ctx.reload(`Delivery #${delivery.id} queued again.`);
    } catch (err) {
      announce(ctx.status, `Delivery #${delivery.id}: replay failed: ${err.message}`, 'error');
    }
  };
}
