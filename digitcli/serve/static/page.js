// The drawing page: every stroke is sent to /v1/predict as a PNG; the answer, the top 3 as bars
// and the 28x28 image the model saw are shown. At most one request is in flight at a time.
"use strict";

const pad = document.getElementById("pad");
const ink = pad.getContext("2d");
const shown = {
  digit: document.getElementById("digit"),
  note: document.getElementById("note"),
  bars: document.getElementById("bars"),
  preview: document.getElementById("preview"),
  model: document.getElementById("model"),
};
let token = sessionStorage.getItem("digitcli-token") || "";
let drawing = false;
let blank = true;
let busy = false;
let pending = false;
let drawingNumber = 0;  // counts clears: an answer about an earlier drawing is not shown

function clearPad() {
  drawingNumber += 1;
  pending = false;
  ink.fillStyle = "#fff";
  ink.fillRect(0, 0, pad.width, pad.height);
  blank = true;
  shown.digit.textContent = "?";
  shown.note.textContent = "";
  shown.bars.replaceChildren();
  shown.preview.removeAttribute("src");
}

function point(event) {
  const box = pad.getBoundingClientRect();
  return [(event.clientX - box.left) * pad.width / box.width,
          (event.clientY - box.top) * pad.height / box.height];
}

pad.addEventListener("pointerdown", (event) => {
  drawing = true;
  pad.setPointerCapture(event.pointerId);
  ink.strokeStyle = "#000";
  ink.lineWidth = 18;
  ink.lineCap = "round";
  ink.lineJoin = "round";
  ink.beginPath();
  ink.moveTo(...point(event));
  ink.lineTo(...point(event));
  ink.stroke();
  blank = false;
});
pad.addEventListener("pointermove", (event) => {
  if (!drawing) return;
  ink.lineTo(...point(event));
  ink.stroke();
  askSoon();
});
for (const end of ["pointerup", "pointercancel"]) {
  pad.addEventListener(end, () => {
    if (drawing) askSoon();
    drawing = false;
  });
}

function askSoon() {
  if (busy) { pending = true; return; }
  const asked = drawingNumber;
  pad.toBlob((blob) => { if (asked === drawingNumber) ask(blob, "drawing.png"); }, "image/png");
}

async function ask(blob, name) {
  const asked = drawingNumber;
  busy = true;
  pending = false;
  try {
    const query = "top_k=3&preview=1&name=" + encodeURIComponent(name);
    const response = await call("v1/predict?" + query, { method: "POST", body: blob,
      headers: { "Content-Type": blob.type || "application/octet-stream" } });
    const answer = await response.json();
    if (asked !== drawingNumber) return;  // cleared while it was on its way
    if (answer.results) show(answer.results[0]);
    else shown.note.textContent = answer.error;
  } catch (error) {
    if (asked === drawingNumber) shown.note.textContent = "the server did not answer: " + error.message;
  } finally {
    busy = false;
    if (pending && !blank) askSoon();
  }
}

function show(result) {
  shown.digit.textContent = result.digit ?? "?";
  shown.note.textContent = result.error || result.note || "";
  const rows = (result.top || []).map(([digit, probability]) => {
    const row = document.createElement("li");
    const label = document.createElement("span");
    const bar = document.createElement("span");
    const value = document.createElement("span");
    label.textContent = digit;
    bar.className = "bar";
    bar.style.width = (100 * probability).toFixed(1) + "%";
    value.className = "value";
    value.textContent = (100 * probability).toFixed(1) + "%";
    row.append(label, bar, value);
    return row;
  });
  shown.bars.replaceChildren(...rows);
  if (result.preview) shown.preview.src = result.preview;
}

async function call(url, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (token) headers.Authorization = "Bearer " + token;
  const response = await fetch(url, { ...options, headers });
  if (response.status === 401) askForToken();
  return response;
}

function askForToken() {
  const form = document.getElementById("token-form");
  form.hidden = false;
  form.onsubmit = (event) => {
    event.preventDefault();
    token = document.getElementById("token").value.trim();
    sessionStorage.setItem("digitcli-token", token);
    form.hidden = true;
    describeModel();
  };
}

async function describeModel() {
  const response = await call("v1/model");
  if (!response.ok) { shown.model.textContent = "the model needs a token"; return; }
  const about = await response.json();
  const accuracy = about.test_accuracy == null ? "" :
    ", " + (100 * about.test_accuracy).toFixed(2) + "%" +
    (about.test_set ? " of " + about.test_set : "");
  const networks = (about.networks || []).join(", ") || about.arch || "unknown";
  shown.model.textContent = `model ${about.name} (${networks}, ` +
    `${about.runtime}${accuracy})`;
}

function openFile(file) {
  if (!file) return;
  clearPad();
  ask(file, file.name);
}

document.getElementById("clear").addEventListener("click", clearPad);
document.getElementById("file").addEventListener("change", (event) => openFile(event.target.files[0]));
pad.addEventListener("dragover", (event) => { event.preventDefault(); pad.classList.add("dragging"); });
pad.addEventListener("dragleave", () => pad.classList.remove("dragging"));
pad.addEventListener("drop", (event) => {
  event.preventDefault();
  pad.classList.remove("dragging");
  openFile(event.dataTransfer.files[0]);
});

clearPad();
describeModel();
