// armcarriage web app: uploads with progress, live job list, live job page.
// Plain JavaScript, no external files: the app works offline.
"use strict";

(function () {
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  async function getJSON(url) {
    const r = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!r.ok) throw new Error(url + ": HTTP " + r.status);
    return r.json();
  }

  // ---- job list (index page) -------------------------------------------
  function jobRow(j) {
    const tr = el("tr", { "data-job": j.id });
    const clip = el("td"); clip.appendChild(el("a", { href: j.url }, j.name)); tr.appendChild(clip);
    const ath = el("td"); ath.appendChild(el("a", { href: "/athletes/" + encodeURIComponent(j.athlete) }, j.athlete)); tr.appendChild(ath);
    tr.appendChild(el("td", {}, j.date));
    tr.appendChild(el("td", { class: "status status-" + j.status }, j.status));
    const prog = el("td");
    prog.appendChild(el("progress", { max: "1", value: String(j.progress) }));
    prog.appendChild(document.createTextNode(" "));
    prog.appendChild(el("span", { class: "stage" }, j.stage));
    tr.appendChild(prog);
    tr.appendChild(el("td", { class: "error" }, j.error));
    return tr;
  }

  async function refreshJobs() {
    const body = document.querySelector("#jobs tbody");
    if (!body) return;
    try {
      const data = await getJSON("/api/jobs");
      body.replaceChildren(...data.jobs.map(jobRow));
      if (!data.jobs.length) {
        const tr = el("tr", { class: "empty" }); tr.appendChild(el("td", { colspan: "6" }, "No jobs yet.")); body.appendChild(tr);
      }
    } catch (e) { /* server restarting: try again at the next tick */ }
  }

  // ---- uploads ----------------------------------------------------------
  function setupUpload() {
    const form = document.getElementById("upload-form");
    if (!form) return;
    const input = document.getElementById("files");
    const drop = document.getElementById("drop");
    const pending = document.getElementById("pending");
    const dateInput = document.getElementById("date");
    if (dateInput && !dateInput.value) dateInput.value = new Date().toISOString().slice(0, 10);
    let chosen = [];

    function showChosen() {
      pending.replaceChildren(...chosen.map((f) => el("li", {}, f.name + " (" + (f.size / 1e6).toFixed(1) + " MB)")));
    }
    input.addEventListener("change", () => { chosen = Array.from(input.files); showChosen(); });
    ["dragenter", "dragover"].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.add("over"); }));
    ["dragleave", "drop"].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.remove("over"); }));
    drop.addEventListener("drop", (e) => { chosen = chosen.concat(Array.from(e.dataTransfer.files)); showChosen(); });

    function send(file, li) {
      return new Promise((resolve) => {
        const fd = new FormData();
        fd.append("athlete", document.getElementById("athlete").value);
        fd.append("date", dateInput.value);
        fd.append("view", document.getElementById("view").value);
        fd.append("capture_fps", document.getElementById("capture_fps").value);
        const several = Array.isArray(file);
        (several ? file : [file]).forEach((f) => fd.append("file", f, f.name));
        if (several) fd.append("session", "1");
        const xhr = new XMLHttpRequest();
        const bar = el("progress", { max: "1", value: "0" });
        const msg = el("span", { class: "msg" }, " uploading");
        li.append(" ", bar, msg);
        xhr.upload.onprogress = (e) => { if (e.lengthComputable) bar.value = e.loaded / e.total; };
        xhr.onload = () => {
          let detail = "";
          try { detail = JSON.parse(xhr.responseText).detail || ""; } catch (err) { detail = xhr.statusText; }
          let body = {};
          try { body = JSON.parse(xhr.responseText); } catch (err) { body = {}; }
          if (xhr.status === 201) {
            msg.textContent = " queued"; li.classList.add("ok");
            if (body.session) li.append(" ", el("a", { href: body.session, id: "session-link" }, "the session"));
          }
          else { msg.textContent = " refused: " + detail; li.classList.add("error"); }
          resolve();
        };
        xhr.onerror = () => { msg.textContent = " upload failed (network)"; li.classList.add("error"); resolve(); };
        xhr.open("POST", "/api/jobs");
        xhr.setRequestHeader("Accept", "application/json");
        xhr.send(fd);
      });
    }

    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (!form.reportValidity()) return;
      if (!chosen.length) { pending.replaceChildren(el("li", { class: "error" }, "Choose or drop at least one clip.")); return; }
      const session = document.getElementById("session");
      if (session && session.checked && chosen.length < 2) { pending.replaceChildren(el("li", { class: "error" }, "A session needs two clips or more of one run.")); return; }
      const files = chosen; chosen = []; input.value = "";
      pending.replaceChildren();
      if (session && session.checked) {  // one request: the server records them as one run
        const li = el("li", {}, files.map((f) => f.name).join(" + ")); pending.appendChild(li);
        await send(files, li);
        refreshJobs();
        return;
      }
      for (const f of files) {
        const li = el("li", {}, f.name); pending.appendChild(li);
        await send(f, li);
        refreshJobs();
      }
    });
  }

  // ---- job page ---------------------------------------------------------
  function setupJob() {
    const box = document.getElementById("job");
    if (!box) return;
    const id = box.dataset.job;
    const initial = box.dataset.status;
    if (initial === "done" || initial === "failed") return;
    const timer = setInterval(async () => {
      try {
        const j = await getJSON("/api/jobs/" + id);
        const st = document.getElementById("job-status");
        st.textContent = j.status; st.className = "status status-" + j.status;
        document.getElementById("job-progress").value = j.progress;
        document.getElementById("job-stage").textContent = j.stage;
        if (j.status === "done" || j.status === "failed") { clearInterval(timer); location.reload(); }
      } catch (err) { /* retry */ }
    }, 1000);
  }

  setupUpload();
  setupJob();
  if (document.getElementById("jobs")) setInterval(refreshJobs, 2000);
})();
