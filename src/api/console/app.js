// The approvals console: a plain page over the public API. The API key lives in sessionStorage
// (gone when the tab closes); every decision goes through the same endpoints and rules as curl.
'use strict';

const KEY = 'payouts.apiKey';
const $ = (id) => document.getElementById(id);
const config = { temporalUiUrl: 'http://localhost:8233', namespace: 'default', providers: [] };
/** Settles once config.json has been read (or could not be); sign-in waits for it. */
let configLoaded = Promise.resolve();
let current = null;
/** Whether the signed-in principal has the admin role: only admins see (and may call) the webhook endpoints. */
let isAdmin = false;
/** The signed-in principal's roles (from /v1/me): who may cancel a batch (its requester or an admin). */
let roles = [];
/** The signed-in principal's name (from /v1/me): a requester may read its own limits only. */
let principal = null;

function masked(number) {
  return number.length <= 4 ? number : '•••• ' + number.slice(-4);
}

function destinationText(d) {
  if (d.type === 'EWALLET') return d.ewallet + ' ' + masked(d.customerNumber);
  if (d.type === 'BANK_ACCOUNT') return 'Bank ' + d.bankCode + ' ' + masked(d.accountNumber);
  return 'VA ' + d.billerCode + ' ' + masked(d.virtualAccountNumber);
}

function rupiah(money) {
  return money ? 'IDR ' + Number(money.value).toLocaleString('en-US', { minimumFractionDigits: 2 }) : '—';
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : '—';
}

async function api(method, path, body) {
  const res = await request(method, path, body);
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw apiError(res, data);
  return data;
}

/** One call with the API key; the answer as it came (a download reads it as a file). */
function request(method, path, body) {
  const headers = { authorization: 'Bearer ' + sessionStorage.getItem(KEY) };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** A refused call as an Error carrying the status and the problem document. */
function apiError(res, data) {
  const error = new Error(data.detail || data.title || 'HTTP ' + res.status);
  error.status = res.status;
  error.problem = data;
  return error;
}

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

/**
 * An API error as one readable sentence: the problem's title and detail, each field error with where
 * it is, and when to try again; a network failure or a non-JSON answer says so.
 */
function problemText(err) {
  const p = err.problem || {};
  const parts = [];
  if (p.title) parts.push(p.title);
  if (p.detail && p.detail !== p.title) parts.push(p.detail);
  if (parts.length === 0) parts.push(err.status ? 'HTTP ' + err.status : err.message || 'the request failed');
  let text = parts.join(' — ');
  if (Array.isArray(p.errors) && p.errors.length > 0) {
    text += ' (' + p.errors.map((e) => (e.pointer && e.pointer !== '/' ? e.pointer + ': ' : '') + e.detail).join('; ') + ')';
  }
  if (err.status === 503) text += ' Try again in a few seconds.';
  return text;
}

/** Text in a status line, marked as an error or not. */
function say(id, text, kind) {
  $(id).textContent = text;
  $(id).className = kind || '';
}

/** The provider's name as the registry gives it (config.json), else its key. */
function providerName(key) {
  const known = config.providers.find((p) => p.key === key);
  return known ? known.name : key;
}

/** The provider filter: every provider the service knows, from config.json. */
function fillProviderFilter() {
  const select = $('provider-filter');
  for (const p of config.providers) {
    const option = document.createElement('option');
    option.value = p.key;
    option.textContent = p.name;
    select.appendChild(option);
  }
}

/** A queued payout's approvals so far of required, and whether the signed-in principal is among them. */
function queueApprovals(p) {
  if (p.batchId) return 'with its batch';
  const { required, list } = approvalProgress(p);
  return list.length + ' of ' + required + (list.some((a) => a.by === principal) ? ' (you approved)' : '');
}

// Each load of the queue has a number; only the latest one renders. A slower answer to an earlier
// load (the list before the provider filter changed) must not overwrite the filtered list.
let queueLoads = 0;

async function loadQueue() {
  const load = ++queueLoads;
  $('queue-status').textContent = 'Loading…';
  const table = $('payouts');
  const tbody = table.querySelector('tbody');
  const provider = $('provider-filter').value;
  try {
    const page = await api('GET', '/v1/payouts?status=AWAITING_APPROVAL&limit=100' + (provider ? '&provider=' + encodeURIComponent(provider) : ''));
    if (load !== queueLoads) return;
    tbody.replaceChildren();
    // Which filter the rows shown were loaded under ('' for all providers).
    table.dataset.provider = provider;
    for (const p of page.items) {
      const row = document.createElement('tr');
      row.tabIndex = 0;
      row.dataset.id = p.id;
      // A row of a batch is decided with its batch (alone it is a 409 batch-row): it opens the batch.
      cell(row, p.batchId ? p.reference + ' (batch ' + p.batchId + ')' : p.reference);
      cell(row, rupiah(p.amount), 'money');
      cell(row, destinationText(p.destination));
      cell(row, providerName(p.provider));
      cell(row, p.inquiry ? p.inquiry.accountName : '—');
      cell(row, rupiah(p.inquiry && p.inquiry.fee), 'money');
      cell(row, rupiah(p.inquiry && p.inquiry.grossAmount), 'money');
      cell(row, p.requestedBy);
      cell(row, queueApprovals(p));
      cell(row, when(p.approvalDeadline));
      const open = () => (p.batchId ? openBatch(p.batchId) : openPayout(p.id));
      row.addEventListener('click', open);
      row.addEventListener('keydown', (e) => e.key === 'Enter' && open());
      tbody.appendChild(row);
    }
    $('queue-status').textContent = page.items.length === 0 ? 'Nothing awaits approval.' : page.items.length + ' awaiting approval.';
  } catch (err) {
    if (load !== queueLoads) return;
    $('queue-status').textContent = 'Could not load: ' + err.message;
    if (err.status === 401) signOut();
  }
}

function fact(dl, term, value) {
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.textContent = value;
  dl.append(dt, dd);
}

/** A term and a description made of nodes (a count, then a list). */
function factNodes(dl, term, nodes) {
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.append(...nodes);
  dl.append(dt, dd);
  return dd;
}

// --- approvals and daily limits ------------------------------------------------------------------

/**
 * A payout's or batch's approvals so far and how many distinct approvers it needs. One created
 * before approval policies has neither field: it needs one, and its approval (if any) is the one.
 */
function approvalProgress(doc) {
  const required = doc.approvalsRequired || 1;
  const list = doc.approvals || (doc.approval && doc.approval.decision === 'APPROVED' ? [doc.approval] : []);
  return { required, list, missing: Math.max(0, required - list.length) };
}

/** The Approvals fact: "1 of 2" (and how many more while it awaits approval), then who approved and when. */
function approvalsFact(dl, doc, describe) {
  const { required, list, missing } = approvalProgress(doc);
  const count = document.createElement('span');
  count.className = 'approvals-count';
  count.textContent =
    list.length + ' of ' + required + (doc.status === 'AWAITING_APPROVAL' && missing > 0 ? ' (' + missing + ' more ' + (missing === 1 ? 'approver' : 'approvers') + ' needed)' : '');
  const nodes = [count];
  if (list.length > 0) {
    const ul = document.createElement('ul');
    ul.className = 'approvers';
    for (const a of list) {
      const li = document.createElement('li');
      li.textContent = a.by + ' at ' + when(a.at) + (describe ? describe(a) : '') + (a.comment ? ' — “' + a.comment + '”' : '');
      ul.appendChild(li);
    }
    nodes.push(ul);
  }
  factNodes(dl, 'Approvals', nodes);
}

/** Whether the signed-in principal approves (an approver or an admin): it may read anyone's limits. */
function decides() {
  return roles.includes('approver') || roles.includes('admin');
}

/** Remaining of a scope's daily limit, as one line. */
function limitText(figures) {
  return rupiah(figures.remaining) + ' remaining of ' + rupiah(figures.limit) + ' (' + rupiah(figures.used) + ' used)';
}

/** The limits boxes by id: a number that makes older answers stale. */
const limitLoads = {};

/**
 * Today's remaining daily limits in a box (`limits` or `batch-limits`): the requester's and, for a
 * payout, its destination's. A requester may only read its own figures and no destination's, so it
 * is not asked for others. The box stays hidden when the policy sets no such limit (null).
 * `amount`: what approving would reserve; a scope with less remaining is marked.
 */
async function showLimits(box, requester, destination, amount) {
  const generation = (limitLoads[box] = (limitLoads[box] || 0) + 1);
  const dl = $(box + '-facts');
  $(box).setAttribute('aria-busy', 'true');
  const params = [];
  if (requester && (decides() || requester === principal)) params.push('requester=' + encodeURIComponent(requester));
  if (destination && decides()) params.push('destination=' + encodeURIComponent(destination));
  if (params.length === 0) {
    $(box).hidden = true;
    $(box).setAttribute('aria-busy', 'false');
    return;
  }
  try {
    const view = await api('GET', '/v1/limits?' + params.join('&'));
    if (generation !== limitLoads[box]) return;
    dl.replaceChildren();
    say(box + '-status', '');
    const scope = (term, figures) => {
      if (!figures || !figures.limit) return; // the policy sets no such limit
      const short = amount && Number(figures.remaining.value) < Number(amount.value);
      const dd = factNodes(dl, term, [limitText(figures) + (short ? ' — less than the ' + rupiah(amount) + ' approving would take' : '')]);
      if (short) dd.className = 'error';
    };
    scope('Requester ' + (view.requester ? view.requester.principal : ''), view.requester);
    scope('Destination ' + (destination ? masked(destination) : ''), view.destination);
    $(box + '-title').textContent = 'Daily limits today (' + view.date + ', ' + view.timeZone + ')';
    $(box).hidden = dl.children.length === 0;
    $(box).setAttribute('aria-busy', 'false');
  } catch (err) {
    if (generation !== limitLoads[box]) return;
    dl.replaceChildren();
    $(box + '-title').textContent = 'Daily limits';
    say(box + '-status', 'Could not read the daily limits: ' + problemText(err), 'error');
    $(box).hidden = false;
    $(box).setAttribute('aria-busy', 'false');
    if (err.status === 401) signOut();
  }
}

/** Hides a limits box, and drops any answer still to come (another payout or batch is opening). */
function hideLimits(box) {
  limitLoads[box] = (limitLoads[box] || 0) + 1;
  $(box).hidden = true;
  $(box).setAttribute('aria-busy', 'false');
}

/** The signed-in principal's own daily limit, above the queue, for those who may request payouts. */
async function loadMyLimits() {
  const generation = (limitLoads.mine = (limitLoads.mine || 0) + 1);
  if (!(roles.includes('requester') || roles.includes('admin'))) {
    $('my-limits').hidden = true;
    return;
  }
  try {
    const view = await api('GET', '/v1/limits');
    if (generation !== limitLoads.mine) return;
    const mine = view.requester;
    $('my-limits').hidden = !(mine && mine.limit);
    if (mine && mine.limit) say('my-limits', 'Your daily limit today (' + view.date + ', ' + view.timeZone + '): ' + limitText(mine) + '.');
  } catch (err) {
    if (generation !== limitLoads.mine) return;
    say('my-limits', 'Could not read your daily limit: ' + problemText(err), 'error');
    $('my-limits').hidden = false;
  }
}

/**
 * A refused approval's problem as one text: its title and detail, and for a daily limit what remains
 * of it ("limit-exceeded": scope, limit, used, remaining, requested, day).
 */
function refusalText(err) {
  const p = err.problem || {};
  if (typeof p.type === 'string' && p.type.endsWith('/limit-exceeded') && p.remaining && p.limit) {
    // The figures, as the page shows money, in place of the detail that says the same.
    return (
      'Refused: ' + (p.title || 'Approving would exceed a daily spending limit.') +
      ' The ' + (p.scope === 'destination' ? 'destination’s' : 'requester’s') + ' daily limit' + (p.day ? ' for ' + p.day + ' (Asia/Jakarta)' : '') +
      ' is ' + rupiah(p.limit) + ': ' + rupiah(p.used) + ' used, ' + rupiah(p.remaining) + ' remaining; this approval asks ' + rupiah(p.requested) + '.'
    );
  }
  return 'Refused: ' + problemText(err);
}

/** What an approval answered: recorded while more approvers are needed, else the new status. */
function approvedText(doc, what) {
  if (doc.status === 'AWAITING_APPROVAL') {
    const { required, list, missing } = approvalProgress(doc);
    return 'Approval recorded (' + list.length + ' of ' + required + '): the ' + what + ' awaits ' + missing + ' more ' + (missing === 1 ? 'approver' : 'approvers') + '.';
  }
  return 'Approved: the ' + what + ' is now ' + doc.status + '.';
}

function showPayout(p) {
  current = p;
  $('detail-title').textContent = 'Payout ' + p.reference + ' — ' + p.status;
  const dl = $('facts');
  dl.replaceChildren();
  fact(dl, 'Amount', rupiah(p.amount));
  fact(dl, 'Destination', destinationText(p.destination));
  fact(dl, 'Account holder', p.inquiry ? p.inquiry.accountName : '—');
  fact(dl, 'Fee', rupiah(p.inquiry && p.inquiry.fee));
  fact(dl, 'Leaves the balance', rupiah(p.inquiry && p.inquiry.grossAmount));
  fact(dl, 'Provider', providerName(p.provider));
  fact(dl, 'Requested by', p.requestedBy);
  fact(dl, 'Decide by', when(p.approvalDeadline));
  approvalsFact(dl, p);
  if (p.policy) fact(dl, 'Approval policy', p.policy);
  if (p.approval) fact(dl, 'Decision', p.approval.decision + ' by ' + p.approval.by);
  if (p.failure) fact(dl, 'Failure', p.failure.code + ': ' + p.failure.message);
  const ol = $('timeline');
  ol.replaceChildren();
  for (const t of p.timeline) {
    const li = document.createElement('li');
    li.textContent = when(t.at) + ' — ' + t.status + (t.detail ? ' (' + t.detail + ')' : '');
    ol.appendChild(li);
  }
  $('temporal-link').href =
    config.temporalUiUrl + '/namespaces/' + encodeURIComponent(config.namespace) + '/workflows/payout-' + encodeURIComponent(p.id);
  // Open while it awaits approval: also after an approval, while more approvers are needed.
  const open = p.status === 'AWAITING_APPROVAL';
  $('approve').disabled = !open;
  $('reject').disabled = !open;
  showLimits('limits', p.requestedBy, destinationNumber(p.destination), open ? p.amount : null);
}

/** The destination's account number, whatever its type (what its daily limit is kept by). */
function destinationNumber(d) {
  if (d.type === 'EWALLET') return d.customerNumber;
  if (d.type === 'BANK_ACCOUNT') return d.accountNumber;
  return d.virtualAccountNumber;
}

async function openPayout(id) {
  $('result').textContent = '';
  $('result').className = '';
  $('note').value = '';
  hideLimits('limits'); // another payout's figures must not show meanwhile
  try {
    showPayout(await api('GET', '/v1/payouts/' + encodeURIComponent(id)));
    $('queue').hidden = true;
    $('batches').hidden = true;
    $('webhooks').hidden = true;
    $('reconciliation').hidden = true;
    $('detail').hidden = false;
    $('detail-title').focus();
  } catch (err) {
    $('queue-status').textContent = 'Could not open ' + id + ': ' + err.message;
  }
}

async function decide(action) {
  const note = $('note').value.trim();
  const body = action === 'approve' ? (note ? { comment: note } : {}) : { reason: note };
  if (action === 'reject' && !note) {
    $('result').textContent = 'A rejection needs a reason.';
    $('result').className = 'error';
    return;
  }
  try {
    const p = await api('POST', '/v1/payouts/' + encodeURIComponent(current.id) + '/' + action, body);
    $('note').value = '';
    showPayout(p);
    $('result').textContent = action === 'approve' ? approvedText(p, 'payout') : 'Rejected: the payout is now ' + p.status + '.';
    $('result').className = 'ok';
  } catch (err) {
    $('result').textContent = refusalText(err);
    $('result').className = 'error';
    // What remains may have changed under the page (another approval reserved meanwhile).
    if (current && current.status === 'AWAITING_APPROVAL') showLimits('limits', current.requestedBy, destinationNumber(current.destination), current.amount);
    if (err.status === 401) signOut();
  }
}

async function signIn(key) {
  sessionStorage.setItem(KEY, key);
  try {
    // The queue's provider filter and names come from config.json.
    await configLoaded;
    const me = await api('GET', '/v1/me');
    $('who').textContent = 'Signed in as ' + me.principal + ' (' + me.roles.join(', ') + ')';
    principal = me.principal;
    $('signin').hidden = true;
    $('queue').hidden = false;
    $('batches').hidden = false;
    $('signin-error').textContent = '';
    isAdmin = me.roles.includes('admin');
    roles = me.roles;
    $('webhooks').hidden = !isAdmin;
    $('reconciliation').hidden = !decides();
    loadMyLimits();
    if (isAdmin) loadEndpoints();
    if (decides()) loadReconciliation();
    loadBatches(false);
    await loadQueue();
  } catch (err) {
    sessionStorage.removeItem(KEY);
    $('signin-error').textContent = err.status === 401 ? 'That API key is not valid.' : 'Could not sign in: ' + err.message;
  }
}

function signOut() {
  sessionStorage.removeItem(KEY);
  $('who').textContent = '';
  $('signin').hidden = false;
  $('queue').hidden = true;
  $('detail').hidden = true;
  $('batches').hidden = true;
  closeBatch();
  $('batch-list').querySelector('tbody').replaceChildren();
  say('batches-status', '');
  isAdmin = false;
  roles = [];
  principal = null;
  hideLimits('limits');
  limitLoads.mine = (limitLoads.mine || 0) + 1;
  $('my-limits').hidden = true;
  $('webhooks').hidden = true;
  $('endpoints').querySelector('tbody').replaceChildren();
  say('endpoints-status', '');
  closeLog();
  clearReconciliation();
}

// --- batches ----------------------------------------------------------------------------------

/** Row statuses in the order the API lists them (counts are shown in this order). */
const ROW_STATUSES = ['VALIDATING', 'READY', 'INVALID', 'UNVERIFIED', 'SCHEDULED', 'PROCESSING', 'NEEDS_ATTENTION', 'SUCCEEDED', 'FAILED', 'REJECTED', 'EXPIRED', 'CANCELLED'];
/** The rows are read in three passes: INVALID ones, UNVERIFIED ones, then every row not shown yet, in row order. */
const ROW_PASSES = ['INVALID', 'UNVERIFIED', null];
const ROWS_PAGE = 200;
const BATCH_PAGE = 20;

/** The batch list: where its next page starts, and a number that makes older answers stale. */
const batchList = { cursor: null, generation: 0 };
/**
 * The open batch: its document, the rows shown (by reference), the rows ticked to be excluded (by
 * reference, with the row as shown), which pass and page of rows comes next, and a number that makes
 * answers for another batch (or an older load) stale.
 */
const batchView = { batch: null, rows: new Map(), excluded: new Map(), pass: 0, cursor: null, generation: 0, busy: false };

async function loadBatches(more) {
  const generation = ++batchList.generation;
  const tbody = $('batch-list').querySelector('tbody');
  let path = '/v1/batches?limit=' + BATCH_PAGE;
  if (more && batchList.cursor) path += '&cursor=' + encodeURIComponent(batchList.cursor);
  say('batches-status', more ? 'Loading more batches…' : 'Loading batches…');
  try {
    const page = await api('GET', path);
    if (generation !== batchList.generation) return; // a newer load, or signed out meanwhile
    if (!more) tbody.replaceChildren();
    for (const batch of page.items) tbody.appendChild(batchListRow(batch));
    batchList.cursor = page.nextCursor;
    $('batches-more').hidden = !page.nextCursor;
    const total = tbody.rows.length;
    say('batches-status', total === 0 ? 'No batches.' : total + (total === 1 ? ' batch' : ' batches') + (page.nextCursor ? '; more are available.' : '.'));
  } catch (err) {
    if (generation !== batchList.generation) return;
    say('batches-status', 'Could not load the batches: ' + problemText(err), 'error');
    if (err.status === 401) signOut();
  }
}

function batchListRow(batch) {
  const row = document.createElement('tr');
  row.tabIndex = 0;
  row.dataset.id = batch.id;
  cell(row, batch.reference);
  const state = cell(row, batch.status, 'state');
  state.dataset.state = batch.status;
  cell(row, String(batch.itemCount), 'num');
  cell(row, String(batch.ready.count), 'num');
  cell(row, rupiah(batch.ready.total), 'money');
  cell(row, batch.requestedBy);
  cell(row, when(batch.approvalDeadline));
  row.addEventListener('click', () => openBatch(batch.id));
  row.addEventListener('keydown', (e) => e.key === 'Enter' && openBatch(batch.id));
  return row;
}

/** Whole rupiah of an API amount ("12500.00" → 12500). */
function wholeRupiah(money) {
  return Number(String(money.value).split('.')[0]);
}

async function openBatch(id) {
  const generation = ++batchView.generation;
  try {
    const batch = await api('GET', '/v1/batches/' + encodeURIComponent(id));
    if (generation !== batchView.generation) return;
    $('queue').hidden = true;
    $('batches').hidden = true;
    $('webhooks').hidden = true;
    $('reconciliation').hidden = true;
    $('detail').hidden = true;
    $('batch').hidden = false;
    say('batch-result', '');
    say('batch-status', '');
    $('batch-note').value = '';
    hideLimits('batch-limits'); // another batch's figures must not show meanwhile
    showBatch(batch, true);
    $('batch-title').focus();
  } catch (err) {
    if (generation !== batchView.generation) return;
    say('batches-status', 'Could not open batch ' + id + ': ' + problemText(err), 'error');
    if (err.status === 401) signOut();
  }
}

function closeBatch() {
  batchView.generation += 1;
  hideLimits('batch-limits');
  batchView.batch = null;
  batchView.rows.clear();
  batchView.excluded.clear();
  batchView.busy = false;
  $('batch').hidden = true;
  $('batch-rows').querySelector('tbody').replaceChildren();
  say('batch-rows-status', '');
  say('batch-result', '');
  say('batch-status', '');
}

/** Reads the open batch again (its document and its rows); ticked exclusions are cleared. */
async function refreshBatch() {
  if (!batchView.batch) return;
  const generation = ++batchView.generation;
  const id = batchView.batch.id;
  say('batch-status', 'Loading the batch…');
  try {
    const batch = await api('GET', '/v1/batches/' + encodeURIComponent(id));
    if (generation !== batchView.generation) return;
    const hadExclusions = batchView.excluded.size > 0;
    say('batch-result', '');
    showBatch(batch, true);
    say('batch-status', hadExclusions ? 'Reloaded; the exclusions were cleared: tick the rows again.' : 'Reloaded.');
  } catch (err) {
    if (generation !== batchView.generation) return;
    say('batch-status', 'Could not reload the batch: ' + problemText(err), 'error');
    if (err.status === 401) signOut();
  }
}

/** Shows a batch document; `fresh`: its rows are read again from the start (and the exclusions cleared). */
function showBatch(batch, fresh) {
  batchView.batch = batch;
  $('batch-title').textContent = 'Batch ' + batch.reference + ' — ' + batch.status;
  const dl = $('batch-facts');
  dl.replaceChildren();
  if (batch.description) fact(dl, 'Description', batch.description);
  fact(dl, 'Status', batch.status);
  fact(dl, 'Requested by', batch.requestedBy);
  fact(dl, 'Created', when(batch.createdAt));
  fact(dl, 'Decide by', when(batch.approvalDeadline));
  if (batch.scheduledAt) fact(dl, 'Scheduled for', when(batch.scheduledAt));
  fact(dl, 'Rows', batch.receivedCount < batch.itemCount ? batch.receivedCount + ' of ' + batch.itemCount + ' received' : String(batch.itemCount));
  fact(dl, 'Ready rows', String(batch.ready.count));
  fact(dl, 'Ready total (beneficiaries receive)', rupiah(batch.ready.total));
  fact(dl, 'Fee total', rupiah(batch.ready.feeTotal));
  fact(dl, 'Gross total (leaves the balance)', rupiah(batch.ready.grossTotal));
  approvalsFact(dl, batch, (a) => ': ' + a.expectedCount + (a.expectedCount === 1 ? ' row, ' : ' rows, ') + rupiah(a.expectedTotal) + (a.excludeReferences && a.excludeReferences.length ? '; ' + a.excludeReferences.length + ' excluded' : ''));
  if (batch.policy) fact(dl, 'Approval policy', batch.policy);
  fact(dl, 'Decision', decisionText(batch.approval));
  if (batch.cancellation) {
    fact(dl, 'Cancelled', 'by ' + batch.cancellation.by + ' at ' + when(batch.cancellation.at) + (batch.cancellation.reason ? ' (' + batch.cancellation.reason + ')' : ''));
  }

  const counts = $('batch-counts').querySelector('tbody');
  counts.replaceChildren();
  for (const status of ROW_STATUSES) {
    const n = batch.counts[status] || 0;
    if (n === 0) continue;
    const row = document.createElement('tr');
    row.dataset.status = status;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = status;
    row.appendChild(th);
    cell(row, String(n), 'num');
    counts.appendChild(row);
  }

  const ol = $('batch-timeline');
  ol.replaceChildren();
  for (const t of batch.timeline) {
    const li = document.createElement('li');
    li.textContent = when(t.at) + ' — ' + t.status + (t.detail ? ' (' + t.detail + ')' : '');
    ol.appendChild(li);
  }
  $('batch-temporal-link').href =
    config.temporalUiUrl + '/namespaces/' + encodeURIComponent(config.namespace) + '/workflows/batch-' + encodeURIComponent(batch.id);
  $('batch-csv').href = '/v1/batches/' + encodeURIComponent(batch.id) + '/items.csv';

  const awaiting = batch.status === 'AWAITING_APPROVAL';
  const open = !['COMPLETED', 'REJECTED', 'EXPIRED', 'CANCELLED'].includes(batch.status);
  // A final batch takes no decision: the form goes; the figures and exclusions only while it awaits approval.
  $('batch-decide').hidden = !open;
  $('batch-approve').disabled = !awaiting;
  $('batch-reject').disabled = !awaiting;
  $('expected-total').disabled = !awaiting;
  $('expected-count').disabled = !awaiting;
  $('batch-figures').hidden = !awaiting;
  // Only the batch's requester or an admin may cancel it; an approver is not offered the button.
  $('batch-cancel').hidden = !(roles.includes('requester') || roles.includes('admin'));
  $('batch-cancel').disabled = !open;
  $('batch-retry').hidden = (batch.counts.UNVERIFIED || 0) === 0;
  $('batch-retry').disabled = !(batch.status === 'VALIDATING' || awaiting);
  // The requester's daily limit (a batch reserves its total there, and each row at its destination).
  showLimits('batch-limits', batch.requestedBy, null, awaiting ? batch.ready.total : null);

  if (fresh) {
    batchView.generation += 1; // a load of the rows still under way belongs to the old document
    batchView.excluded.clear();
    batchView.rows.clear();
    batchView.pass = 0;
    batchView.cursor = null;
    batchView.busy = false;
    $('batch-rows').querySelector('tbody').replaceChildren();
    recomputeFigures();
    loadRows(true);
  } else {
    recomputeFigures();
  }
}

function decisionText(approval) {
  if (!approval) return 'none yet';
  let text = approval.decision + ' by ' + approval.by + ' at ' + when(approval.at);
  if (approval.count !== undefined) text += ': ' + approval.count + (approval.count === 1 ? ' row, ' : ' rows, ') + rupiah(approval.total);
  if (approval.feeTotal) text += ' plus fees ' + rupiah(approval.feeTotal);
  if (approval.excludedCount) text += '; ' + approval.excludedCount + ' excluded';
  if (approval.comment) text += ' — “' + approval.comment + '”';
  if (approval.reason) text += ' — ' + approval.reason;
  return text;
}

/**
 * The next rows: every INVALID row, then every UNVERIFIED one, then the others in row order, until
 * ROWS_PAGE more are shown or none is left (More rows goes on). A row whose status changed
 * between two passes is shown once, where it was first seen.
 */
async function loadRows(fresh) {
  const view = batchView;
  if (!view.batch || (view.busy && !fresh)) return;
  const generation = view.generation;
  const id = view.batch.id;
  const tbody = $('batch-rows').querySelector('tbody');
  view.busy = true;
  $('batch-rows-more').disabled = true;
  say('batch-rows-status', 'Loading rows…');
  let added = 0;
  try {
    while (view.pass < ROW_PASSES.length && added < ROWS_PAGE) {
      const status = ROW_PASSES[view.pass];
      let path = '/v1/batches/' + encodeURIComponent(id) + '/items?limit=' + ROWS_PAGE;
      if (status) path += '&status=' + status;
      if (view.cursor) path += '&cursor=' + encodeURIComponent(view.cursor);
      const page = await api('GET', path);
      if (generation !== view.generation) return; // another batch, or a reload, meanwhile
      for (const item of page.items) {
        if (view.rows.has(item.reference)) continue;
        view.rows.set(item.reference, item);
        tbody.appendChild(batchRow(item));
        added += 1;
      }
      view.cursor = page.nextCursor;
      if (!view.cursor) view.pass += 1;
    }
    if (agreedExclusions().size > 0) recomputeFigures(); // rows the first approval excluded came ticked
    const shown = view.rows.size;
    const done = view.pass >= ROW_PASSES.length;
    $('batch-rows-more').hidden = done;
    say('batch-rows-status', 'Showing ' + shown + ' of ' + view.batch.itemCount + (view.batch.itemCount === 1 ? ' row' : ' rows') + (done ? '.' : '; more are available.'));
  } catch (err) {
    if (generation !== view.generation) return;
    say('batch-rows-status', 'Could not load the rows: ' + problemText(err), 'error');
    if (err.status === 401) signOut();
  } finally {
    if (generation === view.generation) {
      view.busy = false;
      $('batch-rows-more').disabled = false;
    }
  }
}

/**
 * The rows the batch's first approval excluded while more approvers are needed: every approval of a
 * batch excludes the same rows (else 409 batch-exclusions-differ), so they come ticked.
 */
function agreedExclusions() {
  const batch = batchView.batch;
  const first = batch && batch.status === 'AWAITING_APPROVAL' && batch.approvals && batch.approvals[0];
  return new Set(first ? first.excludeReferences || [] : []);
}

/** A row may be excluded while the batch awaits approval and the row is READY or UNVERIFIED. */
function excludable(item) {
  return batchView.batch !== null && batchView.batch.status === 'AWAITING_APPROVAL' && (item.status === 'READY' || item.status === 'UNVERIFIED');
}

function rowDestination(d) {
  const number = d.number.length <= 4 ? d.number : '•••• ' + d.number.slice(-4);
  if (d.type === 'EWALLET') return d.ewallet + ' ' + number;
  if (d.type === 'BANK_ACCOUNT') return 'Bank ' + number;
  return 'VA ' + number;
}

function batchRow(item) {
  const row = document.createElement('tr');
  row.dataset.reference = item.reference;
  row.dataset.status = item.status;
  const pick = cell(row, '');
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.setAttribute('aria-label', 'Exclude ' + item.reference);
  const agreed = excludable(item) && agreedExclusions().has(item.reference);
  if (agreed) batchView.excluded.set(item.reference, item);
  box.checked = Boolean(item.excluded) || agreed;
  box.disabled = !excludable(item);
  box.addEventListener('change', () => {
    if (box.checked) batchView.excluded.set(item.reference, item);
    else batchView.excluded.delete(item.reference);
    row.classList.toggle('excluded', box.checked);
    recomputeFigures();
  });
  pick.appendChild(box);
  row.classList.toggle('excluded', box.checked);
  cell(row, String(item.row), 'num');
  cell(row, item.reference, 'code');
  const state = cell(row, item.status, 'state');
  state.dataset.state = item.status;
  cell(row, item.accountName || '—');
  cell(row, item.destination ? rowDestination(item.destination) : '—');
  cell(row, rupiah(item.amount), 'money');
  cell(row, rupiah(item.fee), 'money');
  cell(row, item.reason || (item.excluded ? 'excluded at approval' : '—'));
  return row;
}

/** The approve form's figures: the batch's ready total and count, less the excluded READY rows. */
function recomputeFigures() {
  const batch = batchView.batch;
  if (!batch) return;
  let total = wholeRupiah(batch.ready.total);
  let count = batch.ready.count;
  let readyExcluded = 0;
  for (const item of batchView.excluded.values()) {
    if (item.status !== 'READY') continue;
    total -= wholeRupiah(item.amount);
    count -= 1;
    readyExcluded += 1;
  }
  $('expected-total').value = total + '.00';
  $('expected-count').value = String(count);
  const n = batchView.excluded.size;
  const agreed = agreedExclusions();
  $('batch-excluded-note').textContent =
    (n === 0
      ? 'Tick rows below to exclude them; the expected figures follow.'
      : n + (n === 1 ? ' row' : ' rows') + ' excluded (' + readyExcluded + ' of them ready): the expected figures are the ready rows without them.') +
    (agreed.size > 0
      ? ' The first approval (' + batch.approvals[0].by + ') excluded ' + agreed.size + (agreed.size === 1 ? ' row' : ' rows') + '; every approval excludes the same rows.'
      : '');
}

/** The expected total as the API takes it ("1250000.00"), or null when it is not whole rupiah. */
function expectedTotalValue() {
  const text = $('expected-total').value.trim().replace(/[\s,]/g, '');
  const match = /^(\d+)(\.0{1,2})?$/.exec(text);
  return match ? String(Number(match[1])) + '.00' : null;
}

async function decideBatch(action) {
  const batch = batchView.batch;
  if (!batch) return;
  const note = $('batch-note').value.trim();
  let body = {};
  if (action === 'approve') {
    const value = expectedTotalValue();
    const count = Number($('expected-count').value);
    if (value === null) return say('batch-result', 'The expected total must be whole rupiah, like 1250000.00.', 'error');
    if ($('expected-count').value.trim() === '' || !Number.isInteger(count) || count < 0) {
      return say('batch-result', 'The expected number of rows must be a whole number.', 'error');
    }
    body = { expectedTotal: { value, currency: 'IDR' }, expectedCount: count };
    // With the first approval's exclusions among rows not shown yet (More rows): they are not the page's to drop.
    const unseen = [...agreedExclusions()].filter((reference) => !batchView.rows.has(reference));
    const exclusions = [...batchView.excluded.keys(), ...unseen];
    if (exclusions.length > 0) body.excludeReferences = exclusions;
    if (note) body.comment = note;
  } else if (action === 'reject') {
    if (!note) return say('batch-result', 'A rejection needs a reason.', 'error');
    body = { reason: note };
  } else if (action === 'cancel') {
    body = note ? { reason: note } : {};
  }
  const generation = batchView.generation;
  say('batch-result', 'Sending…');
  try {
    const answer = await api('POST', '/v1/batches/' + encodeURIComponent(batch.id) + '/' + (action === 'retry' ? 'retry-unverified' : action), body);
    if (generation !== batchView.generation) return;
    const done = { approve: 'Approved', reject: 'Rejected', cancel: 'Cancelled', retry: 'Retrying the unverified rows' }[action];
    $('batch-note').value = '';
    showBatch(answer, true);
    say('batch-result', action === 'approve' ? approvedText(answer, 'batch') : done + ': the batch is now ' + answer.status + '.', 'ok');
  } catch (err) {
    if (generation !== batchView.generation) return;
    let text = refusalText(err);
    const actual = err.problem && err.problem.actual;
    if (actual) {
      text += ' Now: ' + actual.count + (actual.count === 1 ? ' row, ' : ' rows, ') + rupiah(actual.total) + ' plus fees ' + rupiah(actual.feeTotal) + '. Refresh to see the batch as it is.';
    }
    say('batch-result', text, 'error');
    // What remains of the requester's daily limit may have changed under the page.
    if (action === 'approve' && batch.status === 'AWAITING_APPROVAL') showLimits('batch-limits', batch.requestedBy, null, batch.ready.total);
    if (err.status === 401) signOut();
  }
}

/** The rows' results as a file: the key is a header, so the page fetches it and hands the browser a download. */
async function downloadCsv(e) {
  e.preventDefault();
  const batch = batchView.batch;
  if (!batch) return;
  const name = 'batch-' + batch.id + '.csv';
  say('batch-status', 'Preparing ' + name + '…');
  try {
    const res = await request('GET', '/v1/batches/' + encodeURIComponent(batch.id) + '/items.csv');
    if (!res.ok) throw apiError(res, await res.json().catch(() => ({})));
    const url = window.URL.createObjectURL(await res.blob());
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(() => window.URL.revokeObjectURL(url), 60_000);
    say('batch-status', 'Downloaded ' + name + '.', 'ok');
  } catch (err) {
    say('batch-status', 'Could not download the rows: ' + problemText(err), 'error');
    if (err.status === 401) signOut();
  }
}

// --- reconciliation (approvers and admins) -------------------------------------------------------

/** A number that makes older answers stale (a newer load, or signed out meanwhile). */
const reconciliationView = { generation: 0 };

/** Whole rupiah (the report's numbers) as the page shows money. */
function wholeIdr(amount) {
  return rupiah({ value: String(amount) });
}

/** A tally of the report: "2 · IDR 30,000.00". */
function tallyText(tally) {
  return tally.count + ' · ' + wholeIdr(tally.total);
}

/**
 * The latest run of this deployment (the list's first item, read from visibility) and then the run
 * itself by id, for its breaks (the list leaves them out).
 */
async function loadReconciliation() {
  const generation = ++reconciliationView.generation;
  say('reconciliation-status', 'Loading the latest reconciliation…');
  try {
    const page = await api('GET', '/v1/reconciliations');
    if (generation !== reconciliationView.generation) return;
    if (page.items.length === 0) {
      $('reconciliation-report').hidden = true;
      say('reconciliation-status', 'No reconciliation has run yet.');
      return;
    }
    const run = await api('GET', '/v1/reconciliations/' + encodeURIComponent(page.items[0].id));
    if (generation !== reconciliationView.generation) return;
    showReconciliation(run);
  } catch (err) {
    if (generation !== reconciliationView.generation) return;
    say('reconciliation-status', 'Could not load the latest reconciliation: ' + problemText(err), 'error');
    if (err.status === 401) signOut();
  }
}

function showReconciliation(run) {
  const dl = $('reconciliation-facts');
  dl.replaceChildren();
  fact(dl, 'Day', run.date + ' (Asia/Jakarta)');
  fact(dl, 'Status', run.status);
  fact(dl, 'Providers', run.provider ? providerName(run.provider) : 'every configured provider');
  fact(dl, 'Started', when(run.startedAt) + (run.trigger === 'schedule' ? ' by the schedule' : run.requestedBy ? ' by ' + run.requestedBy : ''));
  if (run.completedAt) fact(dl, 'Completed', when(run.completedAt));
  if (run.flagged.length > 0) fact(dl, 'Moved to NEEDS_ATTENTION', run.flagged.join(', '));

  const providers = $('reconciliation-providers').querySelector('tbody');
  providers.replaceChildren();
  for (const p of run.providers) {
    const row = document.createElement('tr');
    row.dataset.provider = p.provider;
    cell(row, providerName(p.provider));
    cell(row, tallyText(p.ours), 'money');
    cell(row, tallyText(p.matched), 'money');
    cell(row, tallyText(p.pending), 'money');
    cell(row, String(Object.values(p.breaks).reduce((sum, n) => sum + n, 0)), 'num');
    cell(row, p.balance ? wholeIdr(p.balance.available) : '—', 'money');
    providers.appendChild(row);
  }
  $('reconciliation-providers').hidden = run.providers.length === 0;

  const breaks = $('reconciliation-breaks').querySelector('tbody');
  breaks.replaceChildren();
  for (const b of run.breaks) {
    const row = document.createElement('tr');
    cell(row, b.kind, 'state');
    cell(row, providerName(b.provider));
    cell(row, b.reference || '—', 'code');
    cell(row, b.detail);
    breaks.appendChild(row);
  }
  const total = run.breaks.length + (run.breaksOmitted || 0);
  $('reconciliation-breaks').hidden = run.breaks.length === 0;
  $('reconciliation-breaks-caption').textContent = run.breaksOmitted ? 'Breaks: the first ' + run.breaks.length + ' of ' + total : 'Breaks';
  $('reconciliation-report').hidden = false;
  let text;
  if (run.status === 'RUNNING') text = 'The latest run is still running; Refresh reconciliation shows its report once it completes.';
  else if (run.status === 'FAILED') text = 'The latest run ended without a report.';
  else text = total === 0 ? 'The latest run found no breaks.' : 'The latest run found ' + total + (total === 1 ? ' break.' : ' breaks.');
  say('reconciliation-status', text, run.status === 'FAILED' || total > 0 ? 'error' : run.status === 'COMPLETED' ? 'ok' : '');
}

function clearReconciliation() {
  reconciliationView.generation += 1;
  $('reconciliation').hidden = true;
  $('reconciliation-report').hidden = true;
  $('reconciliation-facts').replaceChildren();
  $('reconciliation-providers').querySelector('tbody').replaceChildren();
  $('reconciliation-breaks').querySelector('tbody').replaceChildren();
  say('reconciliation-status', '');
}

// --- webhooks (admins only) ---------------------------------------------------------------------

const LOG_PAGE = 20;
/** The open delivery log: its endpoint, where the next page starts, and a number that makes older answers stale. */
const log = { endpoint: null, cursor: null, generation: 0, busy: false };

async function loadEndpoints() {
  say('endpoints-status', 'Loading the webhook endpoints…');
  const tbody = $('endpoints').querySelector('tbody');
  try {
    const page = await api('GET', '/v1/webhook-endpoints');
    if (!isAdmin) return; // signed out meanwhile
    tbody.replaceChildren();
    for (const endpoint of page.items) tbody.appendChild(endpointRow(endpoint));
    say('endpoints-status', page.items.length === 0 ? 'No webhook endpoints are registered.' : page.items.length + (page.items.length === 1 ? ' endpoint.' : ' endpoints.'));
    // The open log's endpoint was deleted meanwhile: its log is gone with it.
    if (log.endpoint && !page.items.some((e) => e.id === log.endpoint.id)) closeLog();
    else markChosen();
  } catch (err) {
    if (!isAdmin) return;
    say('endpoints-status', 'Could not load the webhook endpoints: ' + problemText(err), 'error');
    if (err.status === 401) signOut();
  }
}

function endpointRow(endpoint) {
  const row = document.createElement('tr');
  row.dataset.id = endpoint.id;
  cell(row, endpoint.url, 'url');
  cell(row, endpoint.description || '—');
  // The count, with the list one click away (an endpoint subscribes to up to every event type).
  const events = cell(row, '');
  const details = document.createElement('details');
  const summary = document.createElement('summary');
  summary.textContent = endpoint.events.length + (endpoint.events.length === 1 ? ' event type' : ' event types');
  const list = document.createElement('ul');
  for (const type of endpoint.events) {
    const li = document.createElement('li');
    li.textContent = type;
    list.appendChild(li);
  }
  details.append(summary, list);
  events.appendChild(details);
  cell(row, when(endpoint.createdAt));
  const action = cell(row, '');
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'quiet';
  button.setAttribute('aria-controls', 'log');
  button.setAttribute('aria-expanded', 'false');
  button.append('Delivery log', srOnly(' of ' + endpoint.url));
  button.addEventListener('click', () => openLog(endpoint));
  action.appendChild(button);
  return row;
}

/** Text for screen readers only (a button's full name), kept out of sight. */
function srOnly(text) {
  const span = document.createElement('span');
  span.className = 'visually-hidden';
  span.textContent = text;
  return span;
}

/** Shows which endpoint's log is open, on its row and its button. */
function markChosen() {
  for (const row of $('endpoints').querySelectorAll('tbody tr')) {
    const chosen = log.endpoint !== null && row.dataset.id === log.endpoint.id;
    row.classList.toggle('chosen', chosen);
    const button = row.querySelector('button');
    if (button) button.setAttribute('aria-expanded', String(chosen));
  }
}

function openLog(endpoint) {
  log.endpoint = endpoint;
  $('log-title').textContent = 'Delivery log: ' + endpoint.url;
  $('log-caption').textContent = 'Deliveries to ' + endpoint.url + ', newest payout first, each payout’s events in order';
  $('deliveries').querySelector('tbody').replaceChildren();
  $('log').hidden = false;
  markChosen();
  $('log-title').focus();
  loadLog(true);
}

function closeLog() {
  log.endpoint = null;
  log.cursor = null;
  log.generation += 1;
  log.busy = false;
  $('log').hidden = true;
  $('deliveries').querySelector('tbody').replaceChildren();
  $('log-more').hidden = true;
  say('log-status', '');
  markChosen();
}

/**
 * The first page again (`fresh`: Refresh, as many rows as are shown, so the list does not shrink), or
 * the page after the last one shown (Load more). The log is read from Temporal's visibility, which
 * lags a second or two behind the deliveries themselves.
 */
async function loadLog(fresh) {
  if (!log.endpoint || (log.busy && !fresh)) return;
  const generation = ++log.generation;
  const endpoint = log.endpoint;
  const tbody = $('deliveries').querySelector('tbody');
  const shown = tbody.rows.length;
  const limit = fresh ? Math.min(100, Math.max(LOG_PAGE, shown)) : LOG_PAGE;
  let path = '/v1/webhook-endpoints/' + encodeURIComponent(endpoint.id) + '/deliveries?limit=' + limit;
  if (!fresh) path += '&cursor=' + encodeURIComponent(log.cursor);
  log.busy = true;
  $('log-more').disabled = true;
  say('log-status', fresh ? 'Loading the delivery log…' : 'Loading more deliveries…');
  try {
    const page = await api('GET', path);
    if (generation !== log.generation) return; // another endpoint, or a newer load, answered meanwhile
    if (fresh) tbody.replaceChildren();
    for (const record of page.items) tbody.appendChild(deliveryRow(record));
    log.cursor = page.nextCursor;
    $('log-more').hidden = !page.nextCursor;
    const total = tbody.rows.length;
    say(
      'log-status',
      total === 0
        ? 'No deliveries yet. New events take a few seconds to show here; use Refresh log to look again.'
        : 'Showing ' + total + (total === 1 ? ' delivery' : ' deliveries') + (page.nextCursor ? '; more are available.' : '.'),
    );
  } catch (err) {
    if (generation !== log.generation) return;
    say('log-status', 'Could not load the delivery log: ' + problemText(err), 'error');
    if (err.status === 401) signOut();
  } finally {
    if (generation === log.generation) {
      log.busy = false;
      $('log-more').disabled = false;
    }
  }
}

function lastResult(record) {
  const parts = [];
  if (record.lastHttpStatus !== undefined) parts.push('HTTP ' + record.lastHttpStatus);
  // "the receiver answered 500" says no more than the status beside it.
  if (record.lastError && !(record.lastHttpStatus !== undefined && record.lastError === 'the receiver answered ' + record.lastHttpStatus)) parts.push(record.lastError);
  return parts.length > 0 ? parts.join(': ') : '—';
}

function progress(record) {
  if (record.state === 'DELIVERED') return 'Delivered ' + when(record.deliveredAt);
  if (record.state === 'FAILED') return 'Gave up ' + when(record.failedAt);
  if (record.nextAttemptAt) return 'Next attempt ' + when(record.nextAttemptAt);
  return record.deliveredAt ? 'Queued again (delivered ' + when(record.deliveredAt) + ')' : 'Queued';
}

function deliveryRow(record) {
  const row = document.createElement('tr');
  row.dataset.eventId = record.eventId;
  cell(row, record.eventId, 'code');
  cell(row, record.type);
  cell(row, record.payoutId);
  cell(row, String(record.sequence), 'num');
  const state = cell(row, record.state, 'state');
  state.dataset.state = record.state;
  cell(row, String(record.attempts), 'num');
  cell(row, lastResult(record), record.state === 'DELIVERED' ? '' : 'error');
  cell(row, progress(record), 'progress');
  const action = cell(row, '');
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'quiet';
  button.append('Redeliver', srOnly(' ' + record.eventId));
  button.addEventListener('click', () => redeliver(record, row, button));
  action.appendChild(button);
  return row;
}

/** Sends the event again; the API answers 202 (queued), and the log shows the attempt after a refresh. */
async function redeliver(record, row, button) {
  const endpoint = log.endpoint;
  button.disabled = true;
  say('log-status', 'Asking to redeliver ' + record.eventId + '…');
  try {
    const answer = await api('POST', '/v1/webhook-endpoints/' + encodeURIComponent(endpoint.id) + '/deliveries/' + encodeURIComponent(record.eventId) + '/redeliver', {});
    if (endpoint !== log.endpoint) return;
    const state = row.querySelector('td.state');
    state.textContent = answer.state || 'PENDING';
    state.dataset.state = state.textContent;
    row.querySelector('td.progress').textContent = progress({ ...record, state: state.textContent, nextAttemptAt: undefined });
    say('log-status', 'Redelivery of ' + record.eventId + ' accepted (202): it is ' + (answer.state || 'PENDING') + ' and will be sent again shortly; Refresh log shows the attempt.', 'ok');
  } catch (err) {
    if (endpoint !== log.endpoint) return;
    say('log-status', 'Could not redeliver ' + record.eventId + ': ' + problemText(err), 'error');
    if (err.status === 401) signOut();
  } finally {
    button.disabled = false;
  }
}

document.addEventListener('DOMContentLoaded', () => {
  // The handlers come first and config.json after them: a form submitted before its handler exists is
  // sent by the browser itself, and a slow config.json once left Sign in doing exactly that.
  configLoaded = fetch('/console/config.json')
    .then((r) => r.json())
    .catch(() => ({}))
    .then((loaded) => {
      Object.assign(config, loaded);
      fillProviderFilter();
    });
  $('provider-filter').addEventListener('change', loadQueue);
  $('detail-title').tabIndex = -1;
  $('signin-form').addEventListener('submit', (e) => {
    e.preventDefault();
    signIn($('api-key').value.trim());
  });
  $('refresh').addEventListener('click', () => {
    loadQueue();
    loadMyLimits();
  });
  $('signout').addEventListener('click', signOut);
  $('back').addEventListener('click', () => {
    $('detail').hidden = true;
    $('queue').hidden = false;
    $('batches').hidden = false;
    $('webhooks').hidden = !isAdmin;
    $('reconciliation').hidden = !decides();
    hideLimits('limits');
    loadQueue();
    loadMyLimits();
  });
  $('batch-title').tabIndex = -1;
  $('batches-refresh').addEventListener('click', () => loadBatches(false));
  $('batches-more').addEventListener('click', () => loadBatches(true));
  $('batch-back').addEventListener('click', () => {
    closeBatch();
    $('queue').hidden = false;
    $('batches').hidden = false;
    $('webhooks').hidden = !isAdmin;
    $('reconciliation').hidden = !decides();
    loadBatches(false);
  });
  $('batch-refresh').addEventListener('click', () => refreshBatch());
  $('batch-rows-more').addEventListener('click', () => loadRows(false));
  $('batch-csv').addEventListener('click', downloadCsv);
  $('batch-decide').addEventListener('submit', (e) => {
    e.preventDefault();
    decideBatch(e.submitter ? e.submitter.value : 'approve');
  });
  $('decide').addEventListener('submit', (e) => {
    e.preventDefault();
    decide(e.submitter && e.submitter.value === 'reject' ? 'reject' : 'approve');
  });
  $('reconciliation-refresh').addEventListener('click', loadReconciliation);
  $('log-title').tabIndex = -1;
  $('endpoints-refresh').addEventListener('click', loadEndpoints);
  $('log-refresh').addEventListener('click', () => loadLog(true));
  $('log-more').addEventListener('click', () => loadLog(false));
  $('log-close').addEventListener('click', closeLog);
  if (sessionStorage.getItem(KEY)) signIn(sessionStorage.getItem(KEY));
});
