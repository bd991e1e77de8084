// Jobline's web dashboard: plain JavaScript, no build step, nothing fetched from anywhere but this API.
// Every number comes from the API with the caller's token; the page adds no data of its own.
'use strict';

const STATUSES = ['WAITING', 'QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];
const CANCELLABLE = ['WAITING', 'QUEUED', 'RUNNING'];
const RETRYABLE = ['FAILED', 'CANCELLED'];
const SHOWN_CHARS = 4000;          // a payload, result or error longer than this is cut on the page
const WAIT_SECONDS = 20;           // a job page waits this long per call for its job to change
const TOKEN_KEY = 'jobline.token';
const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];

const state = { admin: false, types: [], route: 0 };

// ---- the API

/** The API's root: this page is served at <root>/dashboard. */
const apiRoot = location.pathname.replace(/\/dashboard(\/.*)?$/, '');

/**
 * The token sent with every call: the one pasted into this tab; on the local runner (a loopback host) without
 * one, an unsigned token with the admin scope, which only the local runner accepts (it verifies nothing).
 */
function token() {
  const stored = sessionStorage.getItem(TOKEN_KEY);
  if (stored) {
    return stored;
  }
  if (LOOPBACK.includes(location.hostname)) {
    const claims = btoa(JSON.stringify({ sub: 'local-dev', scope: 'jobline/admin' }))
      .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    return 'eyJhbGciOiJub25lIn0.' + claims + '.';
  }
  return null;
}

async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  const bearer = token();
  if (bearer) {
    headers.authorization = 'Bearer ' + bearer;
  }
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(apiRoot + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let json = null;
  const text = await response.text();
  if (text) {
    try {
      json = JSON.parse(text);
    } catch (e) {
      json = { detail: text };
    }
  }
  return { status: response.status, ok: response.ok, json, etag: response.headers.get('etag') };
}

/** The answer's JSON, or an Error saying what the API said. */
async function must(method, path, body) {
  const answer = await api(method, path, body);
  if (!answer.ok) {
    const detail = answer.json && (answer.json.detail || answer.json.message);
    const error = new Error((detail || 'HTTP ' + answer.status) + ' (' + method + ' ' + path + ')');
    error.status = answer.status;
    throw error;
  }
  return answer.json;
}

// ---- small DOM helpers: text only, never HTML from data

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name.startsWith('on')) {
      node.addEventListener(name.substring(2), value);
    } else if (name === 'dataset') {
      Object.assign(node.dataset, value);
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child !== undefined && child !== null && child !== false) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

function show(...nodes) {
  const view = document.getElementById('view');
  view.replaceChildren(...nodes.flat(Infinity).filter(node => node !== null && node !== undefined && node !== false));
}

function message(text, error) {
  const box = document.getElementById('message');
  box.textContent = text || '';
  box.className = 'message' + (error ? ' error' : '');
  box.hidden = !text;
}

function time(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
}

function seconds(fromIso, toIso) {
  if (!fromIso || !toIso) {
    return '';
  }
  const ms = new Date(toIso) - new Date(fromIso);
  return ms < 1000 ? ms + ' ms' : (ms / 1000).toFixed(1) + ' s';
}

function statusBadge(status) {
  return el('span', { class: 'status ' + status }, status);
}

function bytes(n) {
  if (n === undefined || n === null) {
    return '';
  }
  return n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KiB' : (n / 1048576).toFixed(1) + ' MiB';
}

function millis(value) {
  if (value === null || value === undefined) {
    return '–';
  }
  return value < 1000 ? '≤ ' + value + ' ms' : '≤ ' + (value / 1000) + ' s';
}

/** Asks before a change, naming what it will do; resolves true when confirmed. */
function confirmAction(text) {
  const panel = document.getElementById('confirm-panel');
  document.getElementById('confirm-text').textContent = text;
  panel.hidden = false;
  return new Promise(resolve => {
    const done = answer => {
      panel.hidden = true;
      yes.removeEventListener('click', onYes);
      no.removeEventListener('click', onNo);
      resolve(answer);
    };
    const yes = document.getElementById('confirm-yes');
    const no = document.getElementById('confirm-no');
    const onYes = () => done(true);
    const onNo = () => done(false);
    yes.addEventListener('click', onYes);
    no.addEventListener('click', onNo);
  });
}

/** A long value cut to SHOWN_CHARS, with a link that downloads the whole of it. */
function longValue(name, value, jobId) {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  const parts = [];
  if (text.length > SHOWN_CHARS) {
    const blob = new Blob([text], { type: 'application/json' });
    parts.push(el('p', { class: 'truncated', id: name + '-truncated' },
      'Showing the first ' + SHOWN_CHARS + ' of ' + text.length + ' characters. ',
      el('a', { href: URL.createObjectURL(blob), download: jobId + '-' + name + '.json', id: name + '-download' },
        'Download the whole ' + name)));
  }
  parts.push(el('pre', { class: 'value', id: 'job-' + name }, text.substring(0, SHOWN_CHARS)));
  return parts;
}

// ---- routes: #/ (overview), #/jobs?filter, #/job/<id>, #/dead-letters

function route() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, query] = hash.split('?');
  return { path, params: new URLSearchParams(query || '') };
}

async function render() {
  const current = ++state.route;
  const { path, params } = route();
  message('');
  document.getElementById('confirm-panel').hidden = true;
  const section = path.startsWith('/job/') || path.startsWith('/jobs') ? 'jobs' : path === '/dead-letters' ? 'dead-letters' : 'overview';
  document.querySelectorAll('header nav a').forEach(a => a.classList.toggle('active', a.dataset.nav === section));
  try {
    if (path.startsWith('/job/')) {
      await jobPage(decodeURIComponent(path.substring(5)), current);
    } else if (path === '/jobs') {
      await jobsPage(params);
    } else if (path === '/dead-letters') {
      await deadLettersPage();
    } else if (state.admin) {
      await overviewPage();
    } else {
      location.hash = '#/jobs';
    }
  } catch (e) {
    if (current === state.route) {
      show(el('h1', {}, 'Cannot show this page'), el('p', { id: 'error' }, e.message),
        e.status === 401 ? el('p', {}, 'Paste a token (the Token button above).') : null);
    }
  }
}

// ---- overview

async function overviewPage() {
  const [stats, types] = await Promise.all([must('GET', '/stats'), must('GET', '/job-types')]);
  state.types = types.types;
  const counts = el('div', { class: 'cards', id: 'status-counts' },
    STATUSES.map(status => el('div', { class: 'card', dataset: { status } },
      el('div', { class: 'label' }, status),
      el('div', { class: 'count' }, String(stats.jobs[status] || 0)))));
  const lastHour = stats.lastHour;
  const rows = lastHour ? Object.entries(lastHour.byType).map(([type, f]) => ({ type, ...f })) : [];
  const columns = [
    ['type', 'Type', r => r.type, false],
    ['submitted', 'Submitted', r => r.submitted, true],
    ['succeeded', 'Succeeded', r => r.succeeded, true],
    ['failed', 'Failed', r => r.failed, true],
    ['failureRate', 'Failure rate', r => r.failureRate, true],
    ['runP50', 'Run p50', r => r.runTime.p50Millis, true],
    ['runP95', 'Run p95', r => r.runTime.p95Millis, true],
    ['waitP50', 'Wait p50', r => r.queueWait.p50Millis, true],
    ['waitP95', 'Wait p95', r => r.queueWait.p95Millis, true],
  ];
  const shown = (key, row) => {
    switch (key) {
      case 'failureRate': return row.failureRate == null ? '–' : (row.failureRate * 100).toFixed(1) + ' %';
      case 'runP50': case 'runP95': case 'waitP50': case 'waitP95': return millis(columns.find(c => c[0] === key)[2](row));
      default: return String(columns.find(c => c[0] === key)[2](row));
    }
  };
  let sortKey = 'submitted';
  let descending = true;
  const body = el('tbody');
  const fillRows = () => {
    const value = columns.find(c => c[0] === sortKey)[2];
    const sorted = rows.slice().sort((a, b) => {
      const x = value(a); const y = value(b);
      if (x == null || y == null) {
        return x == y ? 0 : x == null ? 1 : -1;   // no figure: last, either way
      }
      const order = x === y ? 0 : x < y ? -1 : 1;
      return descending ? -order : order;
    });
    body.replaceChildren(...sorted.map(row => el('tr', { dataset: { type: row.type } },
      columns.map(([key, , , numeric]) => el('td', { class: numeric ? 'num' : null }, shown(key, row))))));
  };
  const head = el('tr', {}, columns.map(([key, label, , numeric]) => el('th', {
    class: 'sortable' + (numeric ? ' num' : ''), dataset: { sort: key },
    onclick: () => { descending = sortKey === key ? !descending : true; sortKey = key; fillRows(); },
  }, label)));
  fillRows();
  const queues = el('table', { id: 'queues' }, el('thead', {}, el('tr', {}, el('th', {}, 'Queue'),
    el('th', { class: 'num' }, 'Waiting'), el('th', { class: 'num' }, 'In flight'), el('th', { class: 'num' }, 'Delayed'))),
  el('tbody', {}, Object.entries(stats.queues).map(([name, depth]) => el('tr', { dataset: { queue: name } },
    el('td', {}, name === 'deadLetter' ? 'dead-letter' : name), el('td', { class: 'num' }, depth.visible),
    el('td', { class: 'num' }, depth.inFlight), el('td', { class: 'num' }, depth.delayed)))));
  const paused = stats.pausedTypes || {};
  const typeRows = state.types.map(type => el('tr', { id: 'type-' + type.name },
    el('td', {}, type.name),
    el('td', { class: 'type-state' }, type.paused ? el('span', { class: 'paused' }, 'paused since ' + time(type.pausedAt)) : 'running'),
    el('td', {}, type.paused
      ? el('button', { type: 'button', dataset: { resume: type.name }, onclick: () => pauseType(type.name, false) }, 'Resume')
      : el('button', { type: 'button', dataset: { pause: type.name }, onclick: () => pauseType(type.name, true) }, 'Pause'))));
  show(
    el('h1', {}, 'Overview'),
    el('h2', {}, 'Jobs by status'),
    counts,
    el('p', { class: 'note' }, 'All tenants. WAITING (for the jobs they depend on), QUEUED and RUNNING are the jobs in those statuses now (the sweeper puts ',
      'these counts right every minute). SUCCEEDED, FAILED and CANCELLED count the jobs that ended so since counting ',
      'began, including ended jobs already removed after their retention; a job retried after it ended leaves its ',
      'end\'s count and counts again when it ends again.'),
    el('h2', {}, 'Per type, last hour'),
    el('table', { id: 'last-hour' }, el('thead', {}, head), body),
    el('p', { class: 'note' }, lastHour ? 'From ' + time(lastHour.from) + ' to now (' + lastHour.bucketMinutes +
      '-minute buckets: the last 60 to 65 minutes). Submitted: jobs created in that time; succeeded and failed: jobs that ' +
      'ended so in it, whenever submitted. Failure rate: failed / (succeeded + failed). Run time is per attempt (retried ' +
      'attempts included), queue wait per start; p50 and p95 are upper bounds of fixed buckets (“at most”). Click a ' +
      'column to sort.' : 'No per-type figures from this deployment.'),
    el('h2', {}, 'Queues'),
    queues,
    el('h2', {}, 'Job types'),
    el('p', { id: 'paused-types', class: 'note' }, Object.keys(paused).length
      ? 'Paused: ' + Object.keys(paused).join(', ') + '. Their queued jobs wait; running ones finish.'
      : 'No type is paused.'),
    el('table', { id: 'job-types' }, el('thead', {}, el('tr', {}, el('th', {}, 'Type'), el('th', {}, 'State'), el('th', {}, ''))),
      el('tbody', {}, typeRows)),
    el('p', { class: 'note' }, 'Pausing a type: workers leave its queued jobs in the queue (looked at again every ',
      'PAUSED_RECHECK_SECONDS, no attempt spent) until it is resumed.'));
}

async function pauseType(name, pause) {
  try {
    await must('POST', '/job-types/' + encodeURIComponent(name) + (pause ? '/pause' : '/resume'));
    await render();
    message((pause ? 'Paused ' : 'Resumed ') + name + '.');
  } catch (e) {
    message(e.message, true);
  }
}

// ---- jobs

const FILTER_FIELDS = ['status', 'type', 'tenant', 'concurrencyKey', 'createdAfter', 'createdBefore', 'jobId'];

async function jobsPage(params) {
  if (!state.types.length) {
    state.types = (await must('GET', '/job-types')).types;
  }
  const query = new URLSearchParams();
  for (const name of FILTER_FIELDS) {
    if (params.get(name)) {
      query.set(name, params.get(name));
    }
  }
  query.set('view', 'summary');
  query.set('limit', params.get('limit') || '25');
  if (params.get('cursor')) {
    query.set('cursor', params.get('cursor'));
  }
  const page = await must('GET', '/jobs?' + query.toString());
  const selected = new Set((params.get('status') || '').split(',').filter(Boolean));
  const localInput = iso => {
    if (!iso) {
      return '';
    }
    const d = new Date(iso);
    const pad = n => String(n).padStart(2, '0');
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + 'T' + pad(d.getHours()) + ':' + pad(d.getMinutes());
  };
  const form = el('form', { class: 'filters', id: 'filters', onsubmit: event => { event.preventDefault(); applyFilter(); } },
    el('fieldset', {}, el('span', { class: 'muted' }, 'Status'), STATUSES.map(status => el('label', {},
      el('input', { type: 'checkbox', id: 'filter-status-' + status, value: status, checked: selected.has(status) }), status))),
    el('label', {}, 'Type', el('select', { id: 'filter-type' }, el('option', { value: '' }, 'any'),
      state.types.map(type => el('option', { value: type.name, selected: params.get('type') === type.name }, type.name)))),
    state.admin ? el('label', {}, 'Tenant', el('input', { type: 'text', id: 'filter-tenant', value: params.get('tenant') || '', placeholder: 'all tenants' })) : null,
    el('label', {}, 'Concurrency key', el('input', { type: 'text', id: 'filter-concurrency-key', value: params.get('concurrencyKey') || '', size: 16 })),
    el('label', {}, 'Created from', el('input', { type: 'datetime-local', id: 'filter-created-after', value: localInput(params.get('createdAfter')) })),
    el('label', {}, 'Created before', el('input', { type: 'datetime-local', id: 'filter-created-before', value: localInput(params.get('createdBefore')) })),
    el('label', {}, 'Job id', el('input', { type: 'text', id: 'filter-job-id', value: params.get('jobId') || '', size: 38 })),
    el('button', { type: 'submit', id: 'apply-filter' }, 'Apply'),
    el('a', { href: '#/jobs' }, 'Clear'));
  const rows = page.jobs.map(job => el('tr', { dataset: { jobId: job.jobId, status: job.status } },
    el('td', {}, el('a', { href: '#/job/' + encodeURIComponent(job.jobId), class: 'mono' }, job.jobId)),
    state.admin ? el('td', {}, job.tenantId) : null,
    el('td', {}, job.type),
    el('td', {}, statusBadge(job.status)),
    el('td', { class: 'num' }, job.attempts + ' / ' + job.maxAttempts),
    el('td', { class: 'num' }, job.progress && job.progress.percent !== undefined ? job.progress.percent + ' %' : ''),
    el('td', {}, time(job.createdAt)),
    el('td', { class: 'num' }, bytes(job.payloadBytes)),
    el('td', {}, job.error ? job.error.code : '')));
  const table = el('table', { id: 'jobs-table' }, el('thead', {}, el('tr', {},
    el('th', {}, 'Job'), state.admin ? el('th', {}, 'Tenant') : null, el('th', {}, 'Type'), el('th', {}, 'Status'),
    el('th', { class: 'num' }, 'Attempts'), el('th', { class: 'num' }, 'Progress'), el('th', {}, 'Created'),
    el('th', { class: 'num' }, 'Payload'), el('th', {}, 'Error'))), el('tbody', {}, rows));
  const next = new URLSearchParams(params);
  next.set('cursor', page.nextCursor || '');
  const first = new URLSearchParams(params);
  first.delete('cursor');
  show(
    el('h1', {}, 'Jobs'),
    form,
    el('div', { class: 'actions' },
      el('button', { type: 'button', id: 'bulk-cancel', class: 'danger', onclick: () => bulk('cancel', params) }, 'Cancel all that match…'),
      el('button', { type: 'button', id: 'bulk-retry', onclick: () => bulk('retry', params) }, 'Retry all that match…')),
    el('p', { class: 'note' }, 'Newest first, filtered by the API. Bulk actions take the jobs this filter selects ',
      '(cancel: WAITING, QUEUED and RUNNING ones; retry: FAILED and CANCELLED ones; at most 500) and ask before acting. ',
      'The address holds the filter: share it.'),
    page.jobs.length ? table : el('p', { id: 'no-jobs', class: 'muted' }, 'No job matches.'),
    el('div', { class: 'pager' },
      params.get('cursor') ? el('a', { href: '#/jobs?' + first.toString(), id: 'first-page' }, 'First page') : null,
      page.nextCursor ? el('a', { href: '#/jobs?' + next.toString(), id: 'next-page' }, 'Next page') : null,
      el('span', { class: 'muted' }, page.jobs.length + ' shown')));
}

function applyFilter() {
  const params = new URLSearchParams();
  const statuses = STATUSES.filter(status => document.getElementById('filter-status-' + status).checked);
  if (statuses.length) {
    params.set('status', statuses.join(','));
  }
  const type = document.getElementById('filter-type').value;
  if (type) {
    params.set('type', type);
  }
  const tenant = document.getElementById('filter-tenant');
  if (tenant && tenant.value.trim()) {
    params.set('tenant', tenant.value.trim());
  }
  for (const [id, name] of [['filter-created-after', 'createdAfter'], ['filter-created-before', 'createdBefore']]) {
    const value = document.getElementById(id).value;
    if (value) {
      params.set(name, new Date(value).toISOString());
    }
  }
  const key = document.getElementById('filter-concurrency-key').value.trim();
  if (key) {
    params.set('concurrencyKey', key);
  }
  const jobId = document.getElementById('filter-job-id').value.trim();
  if (jobId) {
    params.set('jobId', jobId);
  }
  location.hash = '#/jobs' + (params.toString() ? '?' + params.toString() : '');
}

/** A dry run selects what the filter names; the confirmation names the count; the action takes those ids. */
async function bulk(action, params) {
  const selectable = action === 'cancel' ? CANCELLABLE : RETRYABLE;
  const wanted = (params.get('status') || '').split(',').filter(Boolean);
  const statuses = wanted.length ? wanted.filter(s => selectable.includes(s)) : selectable;
  if (!statuses.length) {
    message('The filter selects no ' + selectable.join(' or ') + ' job to ' + action + '.', true);
    return;
  }
  const filter = { status: statuses.join(',') };
  for (const name of ['type', 'createdAfter', 'createdBefore']) {
    if (params.get(name)) {
      filter[name] = params.get(name);
    }
  }
  const request = { dryRun: true, filter, limit: 500 };
  if (params.get('tenant')) {
    request.tenant = params.get('tenant');
  }
  try {
    const selected = await must('POST', '/jobs/bulk-' + action, request);
    if (!selected.matched) {
      message('No job matches: nothing to ' + action + '.');
      return;
    }
    const what = Object.entries(filter).map(([k, v]) => k + ' ' + v).join(', ');
    const ok = await confirmAction((action === 'cancel' ? 'Cancel ' : 'Retry ') + selected.matched + ' job' +
      (selected.matched === 1 ? '' : 's') + ' (' + what + ')?' + (selected.moreMatch ? ' More match; only these ' + selected.matched + '.' : ''));
    if (!ok) {
      return;
    }
    const done = await must('POST', '/jobs/bulk-' + action, { jobIds: selected.jobIds });
    await render();
    message((action === 'cancel' ? 'Cancelled ' : 'Retried ') + done.done + ' of ' + done.requested + ' job(s)' +
      (done.refused.length ? '; refused ' + done.refused.length + ': ' + done.refused.map(r => r.detail).slice(0, 3).join('; ') : '') + '.');
  } catch (e) {
    message(e.message, true);
  }
}

// ---- one job, live

async function jobPage(jobId, current) {
  let answer = await api('GET', '/jobs/' + encodeURIComponent(jobId));
  if (!answer.ok) {
    throw Object.assign(new Error((answer.json && answer.json.detail) || 'HTTP ' + answer.status), { status: answer.status });
  }
  drawJob(answer.json);
  // follow it: each call answers when the job changes (a status, progress, a heartbeat) or after WAIT_SECONDS
  while (current === state.route) {
    const version = answer.etag ? answer.etag.replace(/"/g, '') : null;
    let next;
    try {
      next = await api('GET', '/jobs/' + encodeURIComponent(jobId) + '?waitSeconds=' + WAIT_SECONDS +
        (version ? '&ifVersion=' + version : ''));
    } catch (e) {
      await new Promise(resolve => setTimeout(resolve, 2000));
      continue;
    }
    if (current !== state.route) {
      return;
    }
    if (!next.ok) {
      await new Promise(resolve => setTimeout(resolve, 2000));
      continue;
    }
    if (next.etag !== answer.etag) {
      drawJob(next.json);
    }
    answer = next;
  }
}

/** Links to jobs by id, comma-separated: a chain's parents or dependents. */
function jobLinks(ids) {
  return ids.flatMap((id, i) => [i ? ', ' : '', el('a', { href: '#/job/' + encodeURIComponent(id), class: 'mono' }, id)]);
}

function drawJob(job) {
  const progress = job.progress;
  const facts = [
    ['Status', el('span', { id: 'job-status' }, statusBadge(job.status), job.cancelRequested && !['CANCELLED', 'SUCCEEDED', 'FAILED'].includes(job.status) ? ' (cancel requested)' : '')],
    ['Type', job.type],
    ['Tenant', job.tenantId],
    ['Attempts', el('span', { id: 'job-attempts' }, job.attempts + ' of ' + job.maxAttempts)],
    ['Priority', job.priority],
    job.concurrencyKey ? ['Concurrency key', el('span', { id: 'job-key' }, job.concurrencyKey + ' (' + job.keyScope + ', held until ' + time(job.keyHeldUntil) + ')')] : null,
    job.waitingFor ? ['Waiting for', el('span', { id: 'job-waiting' }, job.waitingFor)] : null,
    job.dependsOn ? ['Depends on', el('span', { id: 'job-depends-on' }, ...jobLinks(job.dependsOn))] : null,
    job.dependents ? ['Dependents', el('span', { id: 'job-dependents' }, ...jobLinks(job.dependents))] : null,
    ['Created', time(job.createdAt)],
    job.runAt ? ['Run at', time(job.runAt)] : null,
    job.startedAt ? ['Started', time(job.startedAt) + ' (waited ' + seconds(job.runAt || job.createdAt, job.startedAt) + ')'] : null,
    job.finishedAt ? ['Finished', time(job.finishedAt) + ' (ran ' + seconds(job.startedAt, job.finishedAt) + ')'] : null,
    job.nextAttemptAt ? ['Next attempt', time(job.nextAttemptAt)] : null,
    ['Timeout', job.timeoutSeconds + ' s'],
    ['Progress', progress && progress.total > 0
      ? el('span', {}, el('progress', { id: 'job-progress', max: progress.total, value: progress.current }),
        ' ', el('span', { id: 'job-progress-text' }, progress.current + ' / ' + progress.total + (progress.percent !== undefined ? ' (' + progress.percent + ' %)' : '') + (progress.message ? ' – ' + progress.message : '')))
      : el('span', { id: 'job-progress-text', class: 'muted' }, progress ? progress.current + (progress.message ? ' – ' + progress.message : '') : 'none reported')],
    job.webhook ? ['Webhook', el('span', { id: 'job-webhook' }, job.webhook.status + ', ' + job.webhook.attempts + ' attempt(s)' +
      (job.webhook.lastStatusCode ? ', last answer ' + job.webhook.lastStatusCode : '') + (job.webhook.lastError ? ', ' + job.webhook.lastError : ''))]
      : job.callbackUrl ? ['Webhook', el('span', { id: 'job-webhook' }, 'not sent yet')] : null,
    job.cost ? ['Cost', '$' + job.cost.dollars.toFixed(7) + ' (' + job.cost.computeMillis + ' ms compute, prices of ' + job.cost.pricesAsOf + ')'] : null,
  ].filter(Boolean);
  const buttons = el('div', { class: 'actions' },
    CANCELLABLE.includes(job.status)
      ? el('button', { type: 'button', id: 'cancel-job', class: 'danger', disabled: job.cancelRequested, onclick: () => jobAction(job, 'cancel') }, 'Cancel')
      : null,
    RETRYABLE.includes(job.status) ? el('button', { type: 'button', id: 'retry-job', onclick: () => jobAction(job, 'retry') }, 'Retry') : null);
  show(
    el('p', {}, el('a', { href: '#/jobs' }, '← Jobs')),
    el('h1', {}, 'Job ', el('span', { class: 'mono', id: 'job-id' }, job.jobId)),
    el('p', { class: 'live' }, 'Live: this page follows the job as it changes.'),
    buttons,
    el('dl', { class: 'facts' }, facts.map(([name, value]) => [el('dt', {}, name), el('dd', {}, value)])),
    job.error ? [el('h2', {}, 'Error'), el('p', { id: 'job-error-code' }, job.error.code + (job.error.retryable ? ' (retryable)' : '')),
      longValue('error', job.error.message, job.jobId)] : null,
    job.result !== undefined ? [el('h2', {}, 'Result'), longValue('result', job.result, job.jobId)] : null,
    job.payload !== undefined ? [el('h2', {}, 'Payload'), longValue('payload', job.payload, job.jobId)] : null);
}

async function jobAction(job, action) {
  try {
    await must('POST', '/jobs/' + encodeURIComponent(job.jobId) + '/' + action);
    message(action === 'cancel' ? 'Cancel requested.' : 'Queued again.');
  } catch (e) {
    message(e.message, true);
  }
}

// ---- dead letters

async function deadLettersPage() {
  const [letters, stats] = await Promise.all([must('GET', '/admin/dead-letters'), must('GET', '/stats')]);
  const rows = letters.kept.map(letter => el('tr', { dataset: { messageId: letter.messageId } },
    el('td', { class: 'mono' }, letter.messageId), el('td', {}, time(letter.receivedAt)),
    el('td', { class: 'num' }, letter.receiveCount), el('td', {}, letter.reason),
    el('td', {}, el('code', {}, letter.bodyPreview), letter.bodyBytes > letter.bodyPreview.length ? ' … (' + bytes(letter.bodyBytes) + ')' : '')));
  show(
    el('h1', {}, 'Dead letters'),
    el('div', { class: 'cards' },
      el('div', { class: 'card', id: 'dlq-depth' }, el('div', { class: 'label' }, 'In the dead-letter queue'),
        el('div', { class: 'count' }, letters.deadLetterQueue.visible + letters.deadLetterQueue.inFlight)),
      el('div', { class: 'card', id: 'failed-count' }, el('div', { class: 'label' }, 'Failed jobs (all causes)'),
        el('div', { class: 'count' }, String(stats.jobs.FAILED || 0)))),
    el('p', { class: 'note' }, 'A message of the jobs\' dead-letter queue that names a job fails that job (DEAD_LETTERED); ',
      'the DeadLetterFunction drains the queue, so it is normally empty. Redrive queues the DEAD_LETTERED jobs again; ',
      'a dry run first says how many.'),
    el('div', { class: 'actions' }, el('button', { type: 'button', id: 'redrive', onclick: redrive }, 'Redrive dead-lettered jobs…')),
    el('h2', {}, 'Unreadable messages kept'),
    letters.kept.length
      ? el('table', { id: 'kept' }, el('thead', {}, el('tr', {}, el('th', {}, 'Message'), el('th', {}, 'Received'),
        el('th', { class: 'num' }, 'Receives'), el('th', {}, 'Why kept'), el('th', {}, 'Body'))), el('tbody', {}, rows))
      : el('p', { class: 'muted', id: 'no-kept' }, 'None.'));
}

async function redrive() {
  try {
    const dry = await must('POST', '/admin/redrive', { reason: 'DEAD_LETTERED', dryRun: true });
    if (!dry.matched) {
      message('No dead-lettered job to queue again.');
      return;
    }
    if (!await confirmAction('Queue ' + dry.matched + ' dead-lettered job(s) again?')) {
      return;
    }
    const done = await must('POST', '/admin/redrive', { reason: 'DEAD_LETTERED', limit: dry.matched });
    await render();
    message('Queued ' + done.requeued + ' of ' + done.matched + ' job(s) again.');
  } catch (e) {
    message(e.message, true);
  }
}

// ---- start

async function start() {
  document.getElementById('token-button').addEventListener('click', () => {
    const panel = document.getElementById('token-panel');
    panel.hidden = !panel.hidden;
  });
  document.getElementById('token-save').addEventListener('click', () => {
    const value = document.getElementById('token-input').value.trim().replace(/^Bearer\s+/i, '');
    if (value) {
      sessionStorage.setItem(TOKEN_KEY, value);
    }
    location.reload();
  });
  document.getElementById('token-clear').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    location.reload();
  });
  if (!token()) {
    document.getElementById('token-panel').hidden = false;
    show(el('h1', {}, 'A token is needed'), el('p', {}, 'This API answers only requests with a bearer token: paste one above.'));
    return;
  }
  // the admin scope opens /stats: that decides which pages this caller has
  const probe = await api('GET', '/stats');
  state.admin = probe.ok;
  document.getElementById('identity').textContent = sessionStorage.getItem(TOKEN_KEY)
    ? (state.admin ? 'operator (admin scope)' : 'tenant token') : 'local runner (admin, no token)';
  document.querySelectorAll('.admin-only').forEach(a => { a.hidden = !state.admin; });
  if (probe.status === 401) {
    document.getElementById('token-panel').hidden = false;
  }
  window.addEventListener('hashchange', render);
  await render();
}

start();
