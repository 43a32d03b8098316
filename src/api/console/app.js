// The approvals console: a plain page over the public API. The API key lives in sessionStorage
// (gone when the tab closes); every decision goes through the same endpoints and rules as curl.
'use strict';

const KEY = 'payouts.apiKey';
const $ = (id) => document.getElementById(id);
const config = { temporalUiUrl: 'http://localhost:8233', namespace: 'default', providers: [] };
let current = null;
/** Whether the signed-in principal has the admin role: only admins see (and may call) the webhook endpoints. */
let isAdmin = false;

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
  const headers = { authorization: 'Bearer ' + sessionStorage.getItem(KEY) };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const error = new Error(data.detail || data.title || 'HTTP ' + res.status);
    error.status = res.status;
    error.problem = data;
    throw error;
  }
  return data;
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

async function loadQueue() {
  $('queue-status').textContent = 'Loading…';
  const tbody = $('payouts').querySelector('tbody');
  const provider = $('provider-filter').value;
  try {
    const page = await api('GET', '/v1/payouts?status=AWAITING_APPROVAL&limit=100' + (provider ? '&provider=' + encodeURIComponent(provider) : ''));
    tbody.replaceChildren();
    for (const p of page.items) {
      const row = document.createElement('tr');
      row.tabIndex = 0;
      row.dataset.id = p.id;
      cell(row, p.reference);
      cell(row, rupiah(p.amount), 'money');
      cell(row, destinationText(p.destination));
      cell(row, providerName(p.provider));
      cell(row, p.inquiry ? p.inquiry.accountName : '—');
      cell(row, rupiah(p.inquiry && p.inquiry.fee), 'money');
      cell(row, rupiah(p.inquiry && p.inquiry.grossAmount), 'money');
      cell(row, p.requestedBy);
      cell(row, when(p.approvalDeadline));
      row.addEventListener('click', () => openPayout(p.id));
      row.addEventListener('keydown', (e) => e.key === 'Enter' && openPayout(p.id));
      tbody.appendChild(row);
    }
    $('queue-status').textContent = page.items.length === 0 ? 'Nothing awaits approval.' : page.items.length + ' awaiting approval.';
  } catch (err) {
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
  const open = p.status === 'AWAITING_APPROVAL';
  $('approve').disabled = !open;
  $('reject').disabled = !open;
}

async function openPayout(id) {
  $('result').textContent = '';
  $('result').className = '';
  $('note').value = '';
  try {
    showPayout(await api('GET', '/v1/payouts/' + encodeURIComponent(id)));
    $('queue').hidden = true;
    $('webhooks').hidden = true;
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
    showPayout(p);
    $('result').textContent = (action === 'approve' ? 'Approved' : 'Rejected') + ': the payout is now ' + p.status + '.';
    $('result').className = 'ok';
  } catch (err) {
    $('result').textContent = 'Refused: ' + err.message;
    $('result').className = 'error';
  }
}

async function signIn(key) {
  sessionStorage.setItem(KEY, key);
  try {
    const me = await api('GET', '/v1/me');
    $('who').textContent = 'Signed in as ' + me.principal + ' (' + me.roles.join(', ') + ')';
    $('signin').hidden = true;
    $('queue').hidden = false;
    $('signin-error').textContent = '';
    isAdmin = me.roles.includes('admin');
    $('webhooks').hidden = !isAdmin;
    if (isAdmin) loadEndpoints();
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
  isAdmin = false;
  $('webhooks').hidden = true;
  $('endpoints').querySelector('tbody').replaceChildren();
  say('endpoints-status', '');
  closeLog();
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

document.addEventListener('DOMContentLoaded', async () => {
  Object.assign(config, await fetch('/console/config.json').then((r) => r.json()).catch(() => ({})));
  fillProviderFilter();
  $('provider-filter').addEventListener('change', loadQueue);
  $('detail-title').tabIndex = -1;
  $('signin-form').addEventListener('submit', (e) => {
    e.preventDefault();
    signIn($('api-key').value.trim());
  });
  $('refresh').addEventListener('click', loadQueue);
  $('signout').addEventListener('click', signOut);
  $('back').addEventListener('click', () => {
    $('detail').hidden = true;
    $('queue').hidden = false;
    $('webhooks').hidden = !isAdmin;
    loadQueue();
  });
  $('decide').addEventListener('submit', (e) => {
    e.preventDefault();
    decide(e.submitter && e.submitter.value === 'reject' ? 'reject' : 'approve');
  });
  $('log-title').tabIndex = -1;
  $('endpoints-refresh').addEventListener('click', loadEndpoints);
  $('log-refresh').addEventListener('click', () => loadLog(true));
  $('log-more').addEventListener('click', () => loadLog(false));
  $('log-close').addEventListener('click', closeLog);
  if (sessionStorage.getItem(KEY)) signIn(sessionStorage.getItem(KEY));
});
