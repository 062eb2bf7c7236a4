// The decisions a result's state allows on the Review page: accept, reject with a reason, release,
// and retract with a reason and the patient-safety choice. Each is one POST, audited by the node.
import { ApiError, enc, post } from './api.js';
import { confirmInline, h, uid } from './dom.js';
import { announce, reviewButton, writeButton } from './state.js';
import { problemText } from './review-common.js';

const FINAL_TEXT = {
  accepted: 'Accepted: the objects are in the outbox. Once every destination has them the result can be retracted.',
  rejected: 'Rejected: never sent. Its files stay until retention removes the study.',
  withheld: 'Withheld: a quality check failed and the rule says not to send it.',
  retracted: 'Retracted: a Rejection Note went to every destination that received it.',
};
/** States after which the node runs the job again on request, as a new revision with new UIDs. */
const RERUNNABLE = ['rejected', 'withheld', 'retracted'];

/** `ctx`: { status, after(message, kind) }. */
export function decisionPanel(result, ctx) {
  const panel = h('div', { class: 'decision', id: 'review-decision' });
  if (result.state === 'awaiting-review') panel.append(acceptBlock(result, ctx, panel), rejectForm(result, ctx, panel));
  else if (result.state === 'awaiting-destination') panel.append(releaseBlock(result, ctx, panel));
  else if (result.state === 'delivered') panel.append(retractForm(result, ctx, panel));
  else panel.append(h('p', { class: 'subtle' }, FINAL_TEXT[result.state] ?? `No decision is open (${result.state}).`));
  if (RERUNNABLE.includes(result.state)) panel.append(rerunBlock(result, ctx));
  return panel;
}

/**
 * POST one decision. Buttons are disabled while it runs, so a second press cannot send it twice.
 * On success the page reloads the result (focus goes to its heading, the outcome to the live
 * region). On failure what the reviewer typed stays; a 409 means the state changed under the
 * page, so the result is reloaded to show what it is now.
 */
async function decide(panel, pressed, { result, verb, body, done, ctx }) {
  const buttons = [...panel.querySelectorAll('button')];
  for (const b of buttons) b.disabled = true;
  announce(ctx.status, `Sending ${verb} for result #${result.id}…`);
  let updated;
  try {
    updated = await post(`/api/results/${enc(result.id)}/${verb}`, body);
  } catch (err) {
    const message = `Could not ${verb} result #${result.id}: ${problemText(err)}`;
    if (err instanceof ApiError && err.status === 409) return ctx.after(message, 'error');
    for (const b of buttons) b.disabled = false;
    announce(ctx.status, message, 'error');
    pressed.focus();
    return;
  }
  // An accept whose destinations cannot be resolved is kept waiting for one: say so, it is not sent.
  if (updated?.state === 'awaiting-destination' && verb !== 'release') {
    return ctx.after(`Result #${result.id} accepted, but it waits for a destination: ${updated.heldReason ?? ''} `
      + 'Release it once the destination exists.', 'error');
  }
  await ctx.after(done, 'ok');
}

/** Retrying the job is a job write: the admin token only (the reviewer and read-only see it disabled). */
function rerunBlock(result, ctx) {
  const rerun = writeButton('Run the job again', async () => {
    rerun.disabled = true;
    try {
      await post(`/api/jobs/${enc(result.jobId)}/retry`);
    } catch (err) {
      rerun.disabled = false;
      announce(ctx.status, `Could not run job #${result.jobId} again: ${problemText(err)}`, 'error');
      rerun.focus();
      return;
    }
    await ctx.after(`Job #${result.jobId} queued again: its result comes back as revision ${result.revision + 1}, `
      + 'with new UIDs.', 'ok');
  }, { id: 'review-rerun' });
  return h('div', { class: 'rerun' }, rerun,
    h('p', { class: 'hint' }, 'Runs the model again on the stored series; the new result is a new revision with new '
      + 'SOP Instance UIDs, so a PACS never merges it with this one.'));
}

function acceptBlock(result, ctx, panel) {
  const hintId = uid('accept-hint');
  const accept = reviewButton('Accept', () => decide(panel, accept, {
    result, verb: 'accept', ctx, done: `Result #${result.id} accepted: its objects are queued for delivery.`,
  }), { class: 'primary', id: 'review-accept' });
  accept.setAttribute('aria-describedby', [accept.getAttribute('aria-describedby'), hintId].filter(Boolean).join(' '));
  return h('div', { class: 'accept' }, accept,
    h('p', { class: 'hint', id: hintId }, 'Sends the SEG and SR to the destinations of the rule.'));
}

function rejectForm(result, ctx, panel) {
  return reasonForm(ctx, {
    id: 'reject', legend: 'Reject', label: 'Reason for rejecting (required)', buttonText: 'Reject',
    hint: 'A rejected result is never sent. The reason is kept in its history and the audit log.',
    send: (reason, button) => decide(panel, button, {
      result, verb: 'reject', body: { reason }, ctx, done: `Result #${result.id} rejected; it will never be sent.`,
    }),
  });
}

function releaseBlock(result, ctx, panel) {
  const release = reviewButton('Release', () => decide(panel, release, {
    result, verb: 'release', ctx, done: `Result #${result.id} released to its destinations.`,
  }), { class: 'primary', id: 'review-release' });
  return h('div', { class: 'release' },
    h('p', {}, 'Waiting for a destination: ', result.heldReason ?? 'its destinations could not be resolved.'),
    h('p', { class: 'hint' }, 'Add the destination or change the rule, then release: the node resolves the '
      + 'destinations again and sends.'),
    release);
}

function retractForm(result, ctx, panel) {
  const safety = h('input', { type: 'checkbox', id: 'retract-safety', name: 'safety' });
  const safetyField = h('div', { class: 'check-field' }, safety,
    h('label', { for: safety.id }, 'Patient safety: the Rejection Note says "Rejected for Patient Safety Reasons" '
      + '(113037) instead of "Rejected for Quality Reasons" (113001)'));
  return reasonForm(ctx, {
    id: 'retract', legend: 'Retract from every destination', label: 'Reason for retracting (required)',
    buttonText: 'Retract', extra: safetyField,
    hint: 'Sends an IOCM Rejection Note (a Key Object Selection) to every destination that received the result.',
    send: (reason, button) => confirmInline(button.parentElement,
      `Retract result #${result.id} from every destination${safety.checked ? ' for patient safety reasons' : ''}?`,
      'Yes, retract', () => decide(panel, button, {
        result, verb: 'retract', body: { reason, safety: safety.checked }, ctx,
        done: `Result #${result.id} retracted: a Rejection Note is queued to every destination that received it.`,
      })),
  });
}

/** A fieldset with a required, labelled reason; an empty reason is flagged at the field, not sent. */
function reasonForm(ctx, { id, legend, label, buttonText, hint, extra, send }) {
  const errorId = `${id}-reason-error`;
  const hintId = `${id}-reason-hint`;
  const reason = h('textarea', {
    id: `${id}-reason`, name: 'reason', rows: 3, required: true, class: 'reason-input',
    'aria-required': 'true', 'aria-describedby': `${hintId} ${errorId}`,
  });
  const error = h('p', { class: 'field-error', id: errorId });
  const button = reviewButton(buttonText, () => {
    const text = reason.value.trim();
    if (!text) {
      error.textContent = `A reason is required to ${id}.`;
      reason.setAttribute('aria-invalid', 'true');
      announce(ctx.status, `Not sent: a reason is required to ${id}.`, 'error');
      reason.focus();
      return;
    }
    error.textContent = '';
    reason.setAttribute('aria-invalid', 'false');
    send(text, button);
  }, { class: 'danger', id: `review-${id}` });
  const form = h('fieldset', { class: `reason-form ${id}` }, h('legend', {}, legend),
    h('div', { class: 'field' }, h('label', { for: reason.id }, label), reason,
      h('p', { class: 'hint', id: hintId }, hint), error),
    extra, h('div', { class: 'toolbar' }, button));
  // The read-only token sees the form as it would be, with nothing it can type into or send.
  if (button.disabled) for (const control of form.querySelectorAll('textarea, input')) control.disabled = true;
  return form;
}
