// The clinic app's page: plain JavaScript, no build step, no third-party code. Talks to the
// JSON API of `insole serve` (docs/app.md) and to its WebSocket /ws/live for live frames.
'use strict';

const state = { session: null, patient: null, visitId: null, socket: null, frames: 0 };
const $ = (sel) => document.querySelector(sel);

function show(view) {
  for (const v of ['patients-view', 'patient-view', 'live-view', 'results-view', 'compare-view']) $('#' + v).hidden = v !== view;
}

function say(text, isError) {
  const m = $('#message');
  m.textContent = text || '';
  m.className = isError ? 'error' : '';
}

async function api(method, path, body, raw) {
  const opts = { method, headers: {}, credentials: 'same-origin' };
  if (method !== 'GET') opts.headers['X-CSRF-Token'] = state.session ? state.session.csrf_token : '';
  if (body !== undefined) {
    if (raw) { opts.body = body; opts.headers['Content-Type'] = 'application/octet-stream'; }
    else { opts.body = JSON.stringify(body); opts.headers['Content-Type'] = 'application/json'; }
  }
  const res = await fetch(path, opts);
  const text = await res.text();
  let data = null;
  try { data = JSON.parse(text); } catch (e) { data = text; }
  // Guarded by the clinic password and the session ended (expired, server restarted): log in again.
  if (res.status === 401 && data && data.error && data.error.includes('/login')) location.assign('/login');
  if (!res.ok) throw new Error((data && data.error) || ('HTTP ' + res.status));
  return data;
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

// `decimals` from the rule file; null (a measure it does not list): three significant figures,
// so that a small value (an arch index resolution of 0.0213) does not read as 0.0.
function fmt(v, decimals, unit) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  const x = Number(v);
  if (decimals === null || decimals === undefined) {
    decimals = x === 0 || !Number.isFinite(x) ? 0 : Math.min(6, Math.max(0, 2 - Math.floor(Math.log10(Math.abs(x)))));
  }
  return x.toFixed(decimals) + (unit ? ' ' + unit : '');
}

// ---- patients ----------------------------------------------------------------------------------

async function showPatients() {
  show('patients-view');
  const list = await api('GET', '/api/patients');
  const body = $('#patient-table tbody');
  body.replaceChildren();
  for (const p of list) {
    body.append(el('tr', {},
      el('td', {}, el('a', { href: '#/patient/' + p.id, text: p.pseudonym })),
      el('td', { text: fmt(p.age_years, 0, 'years') }),
      el('td', { text: fmt(p.body_mass_kg, 1, 'kg') }),
      el('td', { text: p.created_at.slice(0, 10) })));
  }
  if (!list.length) body.append(el('tr', {}, el('td', { colspan: 4, text: 'No patients yet.' })));
}

function numberOrNull(v) { return v === '' || v === undefined ? null : Number(v); }

async function createPatient(ev) {
  ev.preventDefault();
  const f = new FormData(ev.target);
  try {
    const r = await api('POST', '/api/patients', {
      pseudonym: f.get('pseudonym').trim(), age_years: numberOrNull(f.get('age_years')),
      body_mass_kg: numberOrNull(f.get('body_mass_kg')), intake: {} });
    ev.target.reset();
    say('Patient created.');
    location.hash = '#/patient/' + r.id;
  } catch (e) { say('Could not create the patient: ' + e.message, true); }
}

// The intake form is built from the intake schema the server sends (recommend/intake.hpp).
function buildIntakeForm() {
  const parts = { symptoms: $('#intake-symptoms'), risk_factors: $('#intake-risk'), '': $('#intake-other') };
  for (const p of Object.values(parts)) p.querySelectorAll('label').forEach((l) => l.remove());
  for (const f of state.session.intake_schema) {
    const host = parts[f.section] || parts[''];
    const name = (f.section ? f.section + '.' : '') + f.name;
    let input;
    if (f.type === 'bool') {
      input = el('select', { name, 'data-type': 'bool' },
        el('option', { value: '', text: 'not asked' }), el('option', { value: 'true', text: 'yes' }),
        el('option', { value: 'false', text: 'no' }));
    } else if (f.type === 'number') {
      input = el('input', { name, type: 'number', min: f.min, max: f.max, step: 'any', 'data-type': 'number' });
    } else {
      input = el('input', { name, 'data-type': 'string', maxlength: 2000 });
    }
    host.append(el('label', { title: f.description }, f.name.replaceAll('_', ' ') + ' ', input));
  }
}

function fillIntakeForm(p) {
  const form = $('#intake-form');
  form.pseudonym.value = p.pseudonym;
  form.age_years.value = p.age_years ?? '';
  form.body_mass_kg.value = p.body_mass_kg ?? '';
  for (const input of form.querySelectorAll('[data-type]')) {
    const [a, b] = input.name.split('.');
    const v = b ? (p.intake[a] || {})[b] : p.intake[a];
    input.value = v === undefined || v === null ? '' : String(v);
  }
}

function readIntakeForm() {
  const form = $('#intake-form');
  const intake = {};
  for (const input of form.querySelectorAll('[data-type]')) {
    if (input.value === '') continue;
    const t = input.getAttribute('data-type');
    const v = t === 'bool' ? input.value === 'true' : t === 'number' ? Number(input.value) : input.value;
    const [a, b] = input.name.split('.');
    if (b) { intake[a] = intake[a] || {}; intake[a][b] = v; } else intake[a] = v;
  }
  return { pseudonym: form.pseudonym.value.trim(), age_years: numberOrNull(form.age_years.value),
           body_mass_kg: numberOrNull(form.body_mass_kg.value), intake };
}

async function saveIntake(ev) {
  ev.preventDefault();
  try {
    await api('POST', '/api/patients/' + state.patient.id, readIntakeForm());
    say('Intake saved.');
    await showPatient(state.patient.id);
  } catch (e) { say('Could not save the intake: ' + e.message, true); }
}

async function showPatient(id) {
  show('patient-view');
  const p = await api('GET', '/api/patients/' + id);
  state.patient = p;
  $('#patient-name').textContent = p.pseudonym;
  $('#compare-link').href = '#/compare/' + p.id;
  fillIntakeForm(p);
  const box = $('#visits');
  box.replaceChildren();
  for (const v of p.visits.slice().reverse()) {
    const trials = el('ul', { class: 'trials' });
    for (const t of v.trials)
      trials.append(el('li', {}, el('a', { href: '#/trial/' + t.id, class: 'trial-link', text: 'Trial ' + t.id + ': ' + t.kind }),
        ' (' + t.source + ', ' + t.created_at.replace('T', ' ').replace('Z', ' UTC') + ') ', conditionSelect(t)));
    if (!v.trials.length) trials.append(el('li', { text: 'No trials yet.' }));
    const notes = el('ul', { class: 'notes' });
    for (const n of v.notes) notes.append(el('li', { text: n.text }));
    const noteForm = el('form', { class: 'note-form', onsubmit: async (ev) => {
      ev.preventDefault();
      try { await api('POST', '/api/visits/' + v.id + '/notes', { text: ev.target.text.value }); await showPatient(id); }
      catch (e) { say('Could not add the note: ' + e.message, true); }
    } }, el('label', {}, 'Note ', el('input', { name: 'text', required: '', maxlength: 10000 })), el('button', { type: 'submit', text: 'Add note' }));
    const importForm = el('form', { class: 'import-form', onsubmit: async (ev) => {
      ev.preventDefault();
      const file = ev.target.file.files[0];
      if (!file) return;
      try {
        say('Importing ' + file.name + ' …');
        await api('POST', '/api/visits/' + v.id + '/import?name=' + encodeURIComponent(file.name), await file.arrayBuffer(), true);
        say('Imported ' + file.name + '.');
        await showPatient(id);
      } catch (e) { say('Could not import: ' + e.message, true); }
    } }, el('label', {}, 'Import a recording or vendor export ', el('input', { name: 'file', type: 'file' })), el('button', { type: 'submit', text: 'Import' }));
    box.append(el('article', { class: 'visit', 'data-visit': v.id },
      el('h4', { text: 'Visit ' + v.date + (v.condition ? ' – ' + v.condition : '') }),
      el('p', {}, el('a', { href: '#/live/' + v.id, class: 'live-link', text: 'Live capture for this visit' })),
      trials, notes, noteForm, importForm));
  }
}

async function newVisit(ev) {
  ev.preventDefault();
  const f = new FormData(ev.target);
  try {
    await api('POST', '/api/patients/' + state.patient.id + '/visits', { date: f.get('date'), condition: f.get('condition') });
    say('Visit added.');
    await showPatient(state.patient.id);
  } catch (e) { say('Could not add the visit: ' + e.message, true); }
}

// ---- live capture ------------------------------------------------------------------------------

function colour(kpa, max) {
  // Light for low, dark for high pressure (as the report's scale, print friendly).
  const f = Math.max(0, Math.min(1, kpa / max));
  const hue = 200 - 200 * f, light = 92 - 62 * f;
  return 'hsl(' + hue + ',80%,' + light + '%)';
}

// What a stream's values are, as the live message says: kPa (calibrated as the frames arrive, or
// reported by the device itself) or the device's uncalibrated counts.
function unitsText(s) {
  if (s.units === 'counts') return 'counts (uncalibrated)';
  if (s.calibration) return 'kPa, calibrated (device ' + s.calibration.device_serial + ', ' + (s.calibration.date || 'undated') + ')';
  return 'kPa';
}

function drawStream(s) {
  let box = document.getElementById('stream-' + s.name);
  if (!box) {
    box = el('div', { class: 'stream', id: 'stream-' + s.name },
      el('h4', { text: s.name + ' (' + s.side + ')' }), el('p', { class: 'units' }), el('canvas', { width: 160, height: 240 }),
      el('p', { class: 'force' }), el('p', { class: 'cop' }));
    $('#live-streams').append(box);
  }
  box.setAttribute('data-units', s.units);
  box.querySelector('.units').textContent = 'Values: ' + unitsText(s);
  const canvas = box.querySelector('canvas');
  // Square cells, at most 480 x 320 px: a walkway shows wide, an insole tall.
  if (s.rows && s.cols) {
    const cell = Math.max(4, Math.min(24, Math.floor(Math.min(480 / s.cols, 320 / s.rows))));
    if (canvas.width !== s.cols * cell) canvas.width = s.cols * cell;
    if (canvas.height !== s.rows * cell) canvas.height = s.rows * cell;
  }
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  if (s.rows && s.cols) {
    const cw = canvas.width / s.cols, ch = canvas.height / s.rows;
    for (let r = 0; r < s.rows; r++)
      for (let c = 0; c < s.cols; c++) {
        const v = s.cells_kpa[r * s.cols + c];
        if (v === null) continue;
        // kPa on a fixed scale (0..400 kPa); counts have no scale of their own: the frame's largest is darkest.
        ctx.fillStyle = v > 0 ? colour(v, s.units === 'counts' ? Math.max(1, s.max_kpa || 0) : 400) : '#f4f4f4';
        ctx.fillRect(c * cw, r * ch, cw - 1, ch - 1);
      }
    if (s.cop) {
      ctx.fillStyle = '#d00';
      ctx.beginPath();
      ctx.arc(s.cop.col * cw, s.cop.row * ch, 5, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
  box.querySelector('.force').textContent = (s.total_force_n === null ? 'Total force: not known from uncalibrated counts' : 'Total force ' + fmt(s.total_force_n, 0, 'N')) +
    ' · ' + fmt(s.rate_hz, 0, 'frames/s') + ' · ' + s.frames + ' frames';
  box.querySelector('.cop').textContent = s.cop ? 'Centre of pressure: row ' + fmt(s.cop.row, 1) + ', column ' + fmt(s.cop.col, 1) + ' (map cells)' : 'Centre of pressure: no load';
}

// Live frames are drawn at the screen's pace: a message waits for the next animation frame, and one
// arriving before then replaces it (only the newest is worth painting; nothing is drawn for a
// hidden page). For each painted frame the page keeps its delays on the machine's wall clock
// (ms since the Unix epoch, the server's stamps and the browser's clock are one clock when both run
// on this computer): from the frame's arrival at the server (captured_unix_ms) to the message
// leaving it (sent_unix_ms), to its arrival here, and to the next animation frame after drawing,
// which comes after the drawn frame was painted. bench/app_live.py reads them from window.insoleLive.
const live = { pending: null, scheduled: false, received: 0, painted: 0, samples: [], bytes: 0, input_frames: 0 };
window.insoleLive = live;
const nowUnixMs = () => performance.timeOrigin + performance.now();

function paintLive() {
  live.scheduled = false;
  const msg = live.pending;
  live.pending = null;
  if (!msg) return;
  for (const s of msg.streams) drawStream(s);
  live.painted += 1;
  const stream = msg.streams.find((s) => s.captured_unix_ms > 0);
  if (!stream) return;
  requestAnimationFrame(() => {
    live.samples.push([stream.captured_unix_ms, msg.sent_unix_ms, msg.received_unix_ms, nowUnixMs()]);
    if (live.samples.length > 20000) live.samples.splice(0, 10000);
  });
}

function onLive(msg) {
  if (msg.type === 'frame') {
    msg.received_unix_ms = nowUnixMs();
    live.received += 1;
    if (msg.streams.length) {
      live.input_frames = msg.streams[0].frames;
      document.body.setAttribute('data-live-units', msg.streams.map((s) => s.units).join(' '));
    }
    state.frames += 1;
    document.body.setAttribute('data-live-frames', String(state.frames));
    document.body.setAttribute('data-live-elapsed', String(msg.elapsed_s));
    const src = msg.sources[0];
    // The server says plainly whether the device is there; "reconnecting" is the capture's word.
    const unplugged = src && (src.connected === false && src.state === 'reconnecting');
    document.body.setAttribute('data-live-device', unplugged ? 'disconnected' : (src && src.connected ? 'connected' : 'waiting'));
    $('#live-state').textContent = unplugged
      ? 'Device disconnected (unplugged or silent): waiting for it to come back; recording resumes by itself (' + (src.last_error || 'no data') + ')'
      : (msg.recording ? 'Recording' : 'Preview') + ' · ' + fmt(msg.elapsed_s, 1, 's') + (src ? ' · ' + src.state : '');
    $('#live-state').className = unplugged ? 'error' : '';
    if (unplugged) {
      live.pending = null;
      $('#live-streams').replaceChildren();
    } else {
      live.pending = msg;
      if (!live.scheduled) {
        live.scheduled = true;
        requestAnimationFrame(paintLive);
      }
    }
  } else if (msg.type === 'finished') {
    $('#live-state').textContent = msg.ok ? 'Stopped: ' + msg.frames + ' frames (' + msg.message + ')' : 'Capture ended: ' + msg.message;
    document.body.setAttribute('data-live-finished', msg.ok ? 'ok' : 'failed');
  }
}

function connectLive() {
  if (state.socket && state.socket.readyState <= 1) return;
  const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/live');
  ws.onmessage = (e) => { live.bytes = e.data.length; try { onLive(JSON.parse(e.data)); } catch (err) { /* ignore a malformed message */ } };
  ws.onclose = () => { state.socket = null; };
  state.socket = ws;
}

// The calibration files the server offers (GET /api/calibrations): a file whose device serial
// number is the chosen source's is preselected; otherwise none, and the page says so.
function calibrationLabel(c) {
  return 'device ' + c.device_serial + (c.stream ? ', stream ' + c.stream : '') + ', ' + (c.date || 'undated') + ', ' +
    c.method + (c.residuals && c.residuals.count ? ', residuals RMS ' + fmt(c.residuals.rms_kpa, 1, 'kPa') : '') + ' (' + c.name + ')';
}

function fillCalibrations() {
  const sel = $('#calibration');
  sel.replaceChildren(el('option', { value: '', text: 'none' }));
  for (const c of state.calibrations.calibrations)
    sel.append(c.usable ? el('option', { value: c.name, text: calibrationLabel(c) })
      : el('option', { value: c.name, disabled: '', text: c.name + ': cannot be used (' + c.error + ')' }));
}

function calibrationHint() {
  const src = (state.sources || []).find((s) => s.uri === $('#source').value);
  const chosen = $('#calibration').value;
  const c = state.calibrations.calibrations.find((x) => x.name === chosen);
  const serial = src && src.serial ? 'serial number ' + src.serial : 'no serial number known';
  let text;
  if (c && src && src.calibration === chosen)
    text = 'Calibration ' + chosen + ' matches this device (' + serial + '): the recording is in kPa, its counts kept beside.';
  else if (c)
    text = 'Calibration ' + chosen + ' (device ' + c.device_serial + ') chosen by hand for a source with ' + serial +
      ': the recording is in kPa if it fits the device, else the capture is refused.';
  else
    text = 'Uncalibrated: no calibration file for this source (' + serial + ') in ' + state.calibrations.directory +
      '. A device that sends counts is recorded in counts (uncalibrated); one that reports pressure itself, in kPa.';
  if (state.calibrations.truncated)
    text += ' The folder holds more calibration files than are listed (the first ' + state.calibrations.calibrations.length +
      ' by name): move old ones out of it.';
  $('#calibration-hint').textContent = text;
}

function sourceChanged() {
  const src = (state.sources || []).find((s) => s.uri === $('#source').value);
  $('#calibration').value = src && src.calibration ? src.calibration : '';
  calibrationHint();
}

async function showLive(visitId) {
  show('live-view');
  state.visitId = visitId;
  $('#live-visit').textContent = 'for visit ' + visitId;
  $('#back-to-patient').href = state.patient ? '#/patient/' + state.patient.id : '#/';
  const [sources, calibrations] = await Promise.all([api('GET', '/api/sources'), api('GET', '/api/calibrations')]);
  state.sources = sources;
  state.calibrations = calibrations;
  const sel = $('#source');
  sel.replaceChildren();
  for (const s of sources) sel.append(el('option', { value: s.uri, text: s.label }));
  fillCalibrations();
  sourceChanged();
  connectLive();
}

async function startLive(kind) {
  state.frames = 0;
  for (const a of ['data-live-finished', 'data-live-frames', 'data-live-elapsed', 'data-live-units']) document.body.removeAttribute(a);
  $('#live-streams').replaceChildren();
  try {
    const body = { source: $('#source').value, calibration: $('#calibration').value || null };
    if (kind) { body.visit_id = Number(state.visitId); body.kind = kind; }
    await api('POST', '/api/live/start', body);
    say((kind ? 'Recording a ' + (kind === 'walk' ? 'walking trial' : 'standing scan') + '.' : 'Preview started.') +
      (body.calibration ? ' Calibration: ' + body.calibration + '.' : ' No calibration.'));
  } catch (e) { say('Could not start: ' + e.message, true); }
}

async function stopLive() {
  try {
    const st = await api('POST', '/api/live/stop');
    say(st.last ? (st.last.ok ? 'Stopped; ' + st.last.frames + ' frames.' : 'Capture ended: ' + st.last.message) : 'Stopped.');
  } catch (e) { say('Could not stop: ' + e.message, true); }
}

// ---- results -----------------------------------------------------------------------------------

async function showResults(trialId) {
  show('results-view');
  $('#result-trial').textContent = trialId;
  const base = '/api/trials/' + trialId;
  $('#dl-pdf').href = base + '/report.pdf';
  $('#dl-html').href = base + '/report.html';
  $('#dl-json').href = base + '/report.json';
  $('#results-back').href = state.patient ? '#/patient/' + state.patient.id : '#/';
  $('#measures tbody').replaceChildren(el('tr', {}, el('td', { text: 'Analysing …' })));
  const doc = await api('GET', base + '/result');
  $('#peak').src = base + '/peak.png';
  $('#report-frame').src = base + '/report.html';
  const feet = doc.feet || [];
  $('#measures thead').replaceChildren(el('tr', {}, el('th', { text: 'Measure' }),
    ...feet.map((f) => el('th', { text: f.side + ' foot' })), el('th', { text: 'Reference range' })));
  const body = $('#measures tbody');
  body.replaceChildren();
  for (const m of state.session.measures) {
    const values = feet.map((f) => (f.measures && f.measures[m.key] ? f.measures[m.key].median : null));
    if (values.every((v) => v === null || v === undefined)) continue;
    const unit = m.unit || '';
    const range = m.ref_low !== null && m.ref_high !== null ? fmt(m.ref_low, m.decimals) + '–' + fmt(m.ref_high, m.decimals, unit)
      : m.ref_low !== null ? '≥ ' + fmt(m.ref_low, m.decimals, unit) : m.ref_high !== null ? '≤ ' + fmt(m.ref_high, m.decimals, unit) : '–';
    body.append(el('tr', {}, el('td', { text: m.label + (unit ? ' (' + unit + ')' : '') }),
      ...values.map((v) => {
        const out = v !== null && v !== undefined && ((m.ref_low !== null && v < m.ref_low) || (m.ref_high !== null && v > m.ref_high));
        return el('td', { class: out ? 'out' : '', text: fmt(v, m.decimals, unit) + (out ? ' (out of range)' : '') });
      }),
      el('td', { text: range })));
  }
  const fl = $('#findings');
  fl.replaceChildren();
  for (const f of doc.findings) fl.append(el('li', { text: f.id + ' (' + f.side + '): ' + f.statement }));
  if (!doc.findings.length) fl.append(el('li', { text: 'None.' }));
  const rl = $('#recommendations');
  rl.replaceChildren();
  for (const r of doc.recommendations) {
    const because = (r.triggers || []).map((t) => t.finding).filter((x, i, a) => a.indexOf(x) === i);
    rl.append(el('li', { text: (r.category === 'referral' ? 'REFER: ' + r.text : r.id + ' (' + r.side + '): ' + r.element +
      (r.dose && r.dose.text ? ' – ' + r.dose.text : '') + (because.length ? ' [because ' + because.join(', ') + ']' : '') +
      (r.status === 'withheld' ? ' WITHHELD' : '')) }));
  }
  if (!doc.recommendations.length) rl.append(el('li', { text: 'None.' }));
}

// ---- comparison of two trials -----------------------------------------------------------------
// Two trials of the patient (two visits, or two conditions of one visit) through
// GET /api/compare (the `insole compare --json` document), its difference maps and its report.

const CONDITIONS = [['', 'condition not stated'], ['barefoot', 'barefoot'], ['shoe', 'shoe'], ['shoe_orthosis', 'shoe with orthosis']];
const conditionLabel = (c) => (CONDITIONS.find((x) => x[0] === c) || [c, c])[1];
// One recording of a comparison: where its sensors were (from the file) and the trial's condition
// (as entered here), e.g. "on a platform, shoe with orthosis".
const measuredAs = (r) => (r.surface === 'in_shoe' ? 'with in-shoe sensors' : 'on a platform') + ', ' + conditionLabel(r.condition || '');
// The analysis's region order (docs/metrics.md); the JSON document lists regions by name.
const REGION_ORDER = ['whole_foot', 'toeless', 'hindfoot', 'midfoot', 'forefoot', 'toes', 'hallux', 'lesser_toes',
  'medial', 'lateral', 'mth1', 'mth2', 'mth3', 'mth4', 'mth5'];
const VARIABLES = { peak_pressure_kpa: ['peak pressure', 'kPa'], pti_novel_kpa_s: ['pressure-time integral', 'kPa s'] };
const VERDICTS = { met: 'MET', not_met: 'NOT MET', not_assessable: 'not assessable', not_applicable: 'not applicable' };

function conditionSelect(t) {
  const sel = el('select', { class: 'trial-condition', 'data-trial': t.id, 'aria-label': 'Condition of trial ' + t.id,
    onchange: async (ev) => {
      try { await api('POST', '/api/trials/' + t.id, { condition: ev.target.value }); say('Trial ' + t.id + ': ' + conditionLabel(ev.target.value) + '.'); }
      catch (e) { say('Could not set the condition: ' + e.message, true); }
    } }, ...CONDITIONS.map(([v, l]) => el('option', { value: v, text: l })));
  sel.value = t.condition || '';
  return sel;
}

function signed(v, unit) {
  if (v === null || v === undefined) return '–';
  return (v > 0 ? '+' : '') + Number(v).toFixed(1) + ' ' + unit;
}

function trialLabel(t, v) {
  return 'Trial ' + t.id + ' · visit ' + v.date + (v.condition ? ' (' + v.condition + ')' : '') + ' · ' + t.kind + ' · ' + conditionLabel(t.condition);
}

async function showCompare(patientId, query) {
  show('compare-view');
  const p = await api('GET', '/api/patients/' + patientId);
  state.patient = p;
  if (!state.targets) state.targets = await api('GET', '/api/targets');
  $('#compare-patient').textContent = p.pseudonym;
  $('#compare-back').href = '#/patient/' + p.id;
  const trials = [];
  for (const v of p.visits) for (const t of v.trials) trials.push([t, v]);
  for (const [id, pick] of [['#compare-a', 0], ['#compare-b', trials.length - 1]]) {
    const sel = $(id);
    sel.replaceChildren(...trials.map(([t, v]) => el('option', { value: t.id, text: trialLabel(t, v) })));
    const want = query.get(id === '#compare-a' ? 'a' : 'b');
    if (want) sel.value = want;
    else if (trials.length) sel.value = trials[pick][0].id;
  }
  const fitted = (query.get('fitted') || '').split(',').filter((x) => x);
  const box = $('#compare-fitted');
  box.querySelectorAll('label').forEach((l) => l.remove());
  const seen = new Set();
  for (const t of state.targets.targets) {
    if (!t.intervention || seen.has(t.intervention)) continue;
    seen.add(t.intervention);
    const cb = el('input', { type: 'checkbox', name: 'fitted', value: t.intervention, id: 'fitted-' + t.intervention });
    cb.checked = fitted.includes(t.intervention);
    box.append(el('label', {}, cb, ' ' + t.element + ' (' + t.intervention + ')'));
  }
  $('#compare-result').hidden = true;
  document.body.removeAttribute('data-compare');
  if (trials.length < 2) { say('Record or import two trials of this patient to compare them.'); return; }
  if (query.get('a') && query.get('b')) await runCompare(query.get('a'), query.get('b'), fitted);
}

function submitCompare(ev) {
  ev.preventDefault();
  const fitted = [...document.querySelectorAll('#compare-fitted input:checked')].map((c) => c.value);
  const q = new URLSearchParams({ a: $('#compare-a').value, b: $('#compare-b').value });
  if (fitted.length) q.set('fitted', fitted.join(','));
  const target = '#/compare/' + state.patient.id + '?' + q.toString();
  if (location.hash === target) route(); else location.hash = target;
}

function citation(id) {
  for (const t of state.targets.targets) for (const s of t.sources) if (s.id === id) return s.citation || id;
  return id;
}

async function runCompare(a, b, fitted) {
  const q = '?a=' + encodeURIComponent(a) + '&b=' + encodeURIComponent(b) + (fitted.length ? '&fitted=' + encodeURIComponent(fitted.join(',')) : '');
  say('Comparing trial ' + a + ' with trial ' + b + ' …');
  const c = await api('GET', '/api/compare' + q);
  say('');
  $('#compare-pdf').href = '/api/compare/report.pdf' + q;
  $('#compare-html').href = '/api/compare/report.html' + q;
  $('#compare-json').href = '/api/compare' + q;
  $('#compare-summary').textContent = 'A: trial ' + a + ' (' + c.a + ') · B: trial ' + b + ' (' + c.b + ') · rules ' + c.rules.name + ' ' + c.rules.version +
    (fitted.length ? ' · fitted: ' + fitted.join(', ') : '');
  const feet = $('#compare-feet');
  feet.replaceChildren();
  for (const f of c.feet) {
    const table = el('table', { class: 'compare-table', 'data-side': f.side },
      el('thead', {}, el('tr', {}, ...['Region', 'Variable', 'A', 'B', 'Change B − A', 'Change (%)'].map((h) => el('th', { text: h })))));
    const body = el('tbody');
    const regions = Object.keys(f.regions).sort((x, y) => {
      const ix = REGION_ORDER.indexOf(x), iy = REGION_ORDER.indexOf(y);
      return (ix < 0 ? 99 : ix) - (iy < 0 ? 99 : iy) || x.localeCompare(y);
    });
    for (const r of regions)
      for (const [key, [label, unit]] of Object.entries(VARIABLES)) {
        const v = f.regions[r][key];
        if (!v) continue;
        body.append(el('tr', { class: 'region-row', 'data-region': r, 'data-variable': key },
          el('td', { text: r.replaceAll('_', ' ') }), el('td', { text: label + ' (' + unit + ')' }),
          el('td', { class: 'num', text: fmt(v.a, 1, unit) }), el('td', { class: 'num', text: fmt(v.b, 1, unit) }),
          el('td', { class: 'num change', text: signed(v.change, unit) }),
          el('td', { class: 'num percent', text: signed(v.change_percent, '%') })));
      }
    table.append(body);
    const verdicts = el('ul', { class: 'verdicts' });
    for (const t of f.targets) {
      verdicts.append(el('li', { class: 'verdict verdict-' + t.status, 'data-target': t.id, 'data-status': t.status },
        el('strong', { text: t.id + ': ' + (VERDICTS[t.status] || t.status) }), ' – ' + t.reason + '. Target: ' + t.text +
        '. Sources: ' + t.sources.map(citation).join('; ') + '.'));
    }
    feet.append(el('section', { class: 'compare-foot', 'data-side': f.side },
      el('h3', { text: f.side + ' foot: A ' + measuredAs(f.a) + ', ' + f.a.footfalls + ' footfalls; B ' +
        measuredAs(f.b) + ', ' + f.b.footfalls + ' footfalls' }),
      el('h4', { text: 'Targets' }), verdicts, table,
      f.difference_map ? el('p', { text: 'Difference map: largest increase ' + fmt(f.difference_map.max_increase_kpa, 1, 'kPa') +
        ', largest decrease ' + fmt(f.difference_map.max_decrease_kpa, 1, 'kPa') + ', registration Dice ' +
        fmt(f.difference_map.registration.quality.dice, 2) + ', rotation ' + fmt(f.difference_map.registration.angle_deg, 1, '°') })
        : el('p', { text: 'No difference map: ' + f.difference_map_reason })));
  }
  $('#compare-notes').textContent = (c.notes || []).join(' ');
  const img = $('#compare-diff');
  const hasMap = c.feet.some((f) => f.difference_map);
  img.hidden = !hasMap;
  img.closest('figure').hidden = !hasMap;
  if (hasMap) img.src = '/api/compare/diff.png' + q;
  $('#compare-result').hidden = false;
  document.body.setAttribute('data-compare', 'ready');
}

// ---- routing -----------------------------------------------------------------------------------

async function route() {
  say('');
  const h = location.hash.replace(/^#/, '') || '/';
  const m = h.match(/^\/(patient|live|trial)\/(\d+)$/);
  const cm = h.match(/^\/compare\/(\d+)(?:\?(.*))?$/);
  try {
    if (cm) await showCompare(cm[1], new URLSearchParams(cm[2] || ''));
    else if (!m) await showPatients();
    else if (m[1] === 'patient') await showPatient(m[2]);
    else if (m[1] === 'live') await showLive(m[2]);
    else await showResults(m[2]);
  } catch (e) { say(e.message, true); }
}

async function init() {
  state.session = await api('GET', '/api/session');
  $('#version').textContent = 'toolkit ' + state.session.toolkit_version + ', rules ' + state.session.rules.version;
  buildIntakeForm();
  $('#patient-form').addEventListener('submit', createPatient);
  $('#intake-form').addEventListener('submit', saveIntake);
  $('#visit-form').addEventListener('submit', newVisit);
  $('#visit-form').date.value = new Date().toISOString().slice(0, 10);
  $('#preview').addEventListener('click', () => startLive(null));
  $('#record-walk').addEventListener('click', () => startLive('walk'));
  $('#record-stand').addEventListener('click', () => startLive('stand'));
  $('#stop').addEventListener('click', stopLive);
  $('#source').addEventListener('change', sourceChanged);
  $('#calibration').addEventListener('change', calibrationHint);
  $('#compare-form').addEventListener('submit', submitCompare);
  $('#compare-print').addEventListener('click', () => window.print());
  window.addEventListener('hashchange', route);
  await route();
}

init().catch((e) => say('Cannot reach the insole server: ' + e.message, true));
