// The approvals console: a plain page over the public API. The API key lives in sessionStorage
// (gone when the tab closes); every decision goes through the same endpoints and rules as curl.
'use strict';

const KEY = 'payouts.apiKey';
const $ = (id) => document.getElementById(id);
const config = { temporalUiUrl: 'http://localhost:8233', namespace: 'default', providers: [] };
let current = null;

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
    throw error;
  }
  return data;
}

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  row.appendChild(td);
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
    loadQueue();
  });
  $('decide').addEventListener('submit', (e) => {
    e.preventDefault();
    decide(e.submitter && e.submitter.value === 'reject' ? 'reject' : 'approve');
  });
  if (sessionStorage.getItem(KEY)) signIn(sessionStorage.getItem(KEY));
});
