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

  // ---- whom to follow: a tap on the first frame, decoded here in the browser -----
  function personPicker() {
    const box = document.getElementById("person-box");
    const field = document.getElementById("person");
    const canvas = document.getElementById("person-frame");
    const note = document.getElementById("person-note");
    const auto = document.getElementById("person-auto");
    let video = null, url = null, shown = null;
    const AUTO_NOTE = "Following the most prominent person.";
    function reset() {
      field.value = ""; auto.hidden = true; note.textContent = AUTO_NOTE;
      if (video) canvas.getContext("2d").drawImage(video, 0, 0);
    }
    function fail() {
      if (url) URL.revokeObjectURL(url);
      video = null; url = null; field.value = ""; canvas.hidden = true; auto.hidden = true;
      box.hidden = false; box.dataset.state = "undecodable";
      note.textContent = "This browser cannot decode the clip (its codec), so its first frame " +
        "cannot be shown: the runner will be chosen automatically (the most prominent person).";
    }
    function show(file) {
      if (file === shown) return;
      shown = file;
      if (url) URL.revokeObjectURL(url);
      video = null; url = null; field.value = ""; box.dataset.state = "loading";
      if (!file) { box.hidden = true; return; }
      const v = document.createElement("video");
      v.muted = true; v.preload = "auto"; v.playsInline = true;
      url = URL.createObjectURL(file);
      let done = false;
      const give_up = setTimeout(() => { if (!done) { done = true; fail(); } }, 10000);
      v.addEventListener("error", () => { if (!done) { done = true; clearTimeout(give_up); fail(); } });
      v.addEventListener("loadeddata", () => { v.currentTime = Math.min(0.05, (v.duration || 1) / 2); });
      v.addEventListener("seeked", () => {
        if (done) return;
        done = true; clearTimeout(give_up);
        if (!v.videoWidth) { fail(); return; }
        video = v; canvas.width = v.videoWidth; canvas.height = v.videoHeight;
        canvas.hidden = false; box.hidden = false; box.dataset.state = "shown";
        reset();
      });
      v.src = url;
    }
    canvas.addEventListener("click", (e) => {
      if (!video) return;
      const r = canvas.getBoundingClientRect();
      const x = Math.min(1, Math.max(0, (e.clientX - r.left) / r.width));
      const y = Math.min(1, Math.max(0, (e.clientY - r.top) / r.height));
      field.value = x.toFixed(3) + "," + y.toFixed(3);
      const ctx = canvas.getContext("2d");
      ctx.drawImage(video, 0, 0);
      const px = x * canvas.width, py = y * canvas.height, s = Math.max(8, canvas.width / 40);
      ctx.lineWidth = Math.max(2, s / 4); ctx.strokeStyle = "#ffd600";
      ctx.beginPath(); ctx.arc(px, py, s, 0, 2 * Math.PI); ctx.moveTo(px - 2 * s, py); ctx.lineTo(px + 2 * s, py);
      ctx.moveTo(px, py - 2 * s); ctx.lineTo(px, py + 2 * s); ctx.stroke();
      note.textContent = "Following the person at the mark (tap again to move it).";
      auto.hidden = false;
    });
    auto.addEventListener("click", reset);
    return { show };
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

    const picker = personPicker();
    function showChosen() {
      pending.replaceChildren(...chosen.map((f) => el("li", {}, f.name + " (" + (f.size / 1e6).toFixed(1) + " MB)")));
      picker.show(chosen[0]);
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
        fd.append("person", document.getElementById("person").value);
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
      picker.show(null); // the next upload chooses afresh
    });
  }

  // ---- job page ---------------------------------------------------------
  function setupJob() {
    const box = document.getElementById("job");
    if (!box) return;
    const id = box.dataset.job;
    const initial = box.dataset.status;
    if (initial === "done" || initial === "failed") return;
    // the stages run so far, one line each as in the terminal; the running one carries its
    // count and time left ("pose 120/360 frames, about 40 s left")
    const stages = el("ol", { id: "job-stages", class: "stages" });
    box.appendChild(stages);
    const head = (s) => s.split(":")[0].replace(/ \d+\/\d+ frames.*$/, "");
    const track = (text) => {
      const last = stages.lastElementChild;
      if (last && head(last.dataset.stage) === head(text)) { last.dataset.stage = text; last.textContent = text; return; }
      if (last) { last.textContent = "\u2713 " + head(last.dataset.stage); last.classList.add("done"); }
      const li = el("li", {}, text); li.dataset.stage = text; stages.appendChild(li);
    };
    const timer = setInterval(async () => {
      try {
        const j = await getJSON("/api/jobs/" + id);
        const st = document.getElementById("job-status");
        st.textContent = j.status; st.className = "status status-" + j.status;
        document.getElementById("job-progress").value = j.progress;
        document.getElementById("job-stage").textContent = j.stage;
        if (j.status === "running" && j.stage && j.stage !== "starting") track(j.stage);
        if (j.status === "done" || j.status === "failed") { clearInterval(timer); location.reload(); }
      } catch (err) { /* retry */ }
    }, 1000);
  }

  setupUpload();
  setupJob();
  if (document.getElementById("jobs")) setInterval(refreshJobs, 2000);
})();
