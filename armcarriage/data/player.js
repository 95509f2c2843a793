// armcarriage report: the player (the clip with the track's overlay drawn on a canvas)
// and the interactive charts. Plain JavaScript, no network: the page reads its data from
// the JSON block #acr-data; plotly.js is inlined beside this script (or served by the app).
// A page may hold several players (a session's clips, two sessions compared): each in its
// own .acr-clip root with its data block and its parts marked data-acr="video" etc.; every
// player's api is in window.acrPlayers, and api.shown(t) is called with each drawn time.
"use strict";

(function () {
  const COLOURS = { left: "66,165,245", right: "255,112,67", "": "255,255,255" };
  const JOINTS = ["shoulder", "elbow", "wrist", "hip"];
  const PRINT_WIDTH = 680; // CSS px of a chart on an A4 or Letter page with 12 mm margins

  function nearest(times, t) {
    let lo = 0;
    let hi = times.length - 1;
    if (hi < 0) return -1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (times[mid] <= t) lo = mid; else hi = mid;
    }
    return Math.abs(times[lo] - t) <= Math.abs(times[hi] - t) ? lo : hi;
  }

  function part(root, name) {
    return root.querySelector("#acr-" + name + ", [data-acr=" + name + "]");
  }

  function Player(root, data, api) {
    const P = data.player;
    const ov = P.overlay;
    const T = ov.t;
    const video = part(root, "video");
    const canvas = part(root, "canvas");
    const ctx = canvas.getContext("2d");
    const readout = part(root, "readout");
    const cueline = part(root, "cueline");
    const bar = part(root, "seekbar");
    const loopBox = part(root, "loop");
    const stage = root.querySelector("#player, [data-acr=player]");
    const playBtn = root.querySelector("[data-act=play]");
    const index = {};
    ov.points.forEach((name, j) => { index[name] = j; });
    let dt = 1 / (P.fps || 30);
    if (T.length > 1) {
      const d = [];
      for (let i = 1; i < T.length; i++) d.push(T[i] - T[i - 1]);
      d.sort((a, b) => a - b);
      dt = d[d.length >> 1];
    }
    const tolerance = 0.6 * dt;
    let shownMedia = 0; // media time of the frame on screen
    let loopSpan = null; // [t0, t1] track times of the looped stride
    let lastStride = null;

    // analysis time -> media time: slow motion is analysed on the time it was filmed on
    const stretch = P.stretch || 1;
    const media = (t) => t / stretch - P.offset;
    const track = (m) => (m + P.offset) * stretch;

    function sampleAt(t) {
      const i = nearest(T, t);
      return i >= 0 && Math.abs(T[i] - t) <= tolerance ? i : -1;
    }

    function strideAt(t) {
      for (const s of data.strides) if (s[1] <= t && t < s[2]) return s;
      return null;
    }

    function point(i, name) {
      const j = index[name];
      if (j === undefined) return null;
      const x = ov.xy[i][2 * j];
      const y = ov.xy[i][2 * j + 1];
      return x === null || y === null ? null : [x, y];
    }

    function box() {
      // the video's picture inside its element (object-fit: contain), in canvas CSS pixels
      const w = canvas.clientWidth;
      const h = canvas.clientHeight;
      const vw = video.videoWidth;
      const vh = video.videoHeight;
      if (!vw || !vh || !w || !h) return null;
      const s = Math.min(w / vw, h / vh);
      return { w: w, h: h, ox: (w - vw * s) / 2, oy: (h - vh * s) / 2, cw: vw * s, ch: vh * s };
    }

    function draw() {
      const b = box();
      const dpr = window.devicePixelRatio || 1;
      if (!b) return;
      const W = Math.round(b.w * dpr);
      const H = Math.round(b.h * dpr);
      if (canvas.width !== W || canvas.height !== H) { canvas.width = W; canvas.height = H; }
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, b.w, b.h);
      const t = track(shownMedia);
      const i = sampleAt(t);
      status(t, i);
      if (api.shown) api.shown(t);
      if (i < 0) { api.drawn = { i: -1, mediaTime: shownMedia, points: {} }; return; }
      const kx = b.cw / ov.size[0];
      const ky = b.ch / ov.size[1];
      const at = (p) => [b.ox + p[0] * kx, b.oy + p[1] * ky];
      const line = Math.max(2, Math.round(b.ch / 240));
      const size = Math.max(12, Math.round(b.ch / 34));
      const points = {};
      ov.points.forEach((name) => { const p = point(i, name); if (p) points[name] = at(p); });
      ctx.lineCap = "round";
      for (const [a, c, side, faint] of ov.bones) {
        const pa = points[ov.points[a]];
        const pc = points[ov.points[c]];
        if (!pa || !pc) continue;
        ctx.strokeStyle = "rgba(" + COLOURS[side] + "," + (faint ? 0.35 : 1) + ")";
        ctx.lineWidth = line + 1;
        ctx.beginPath(); ctx.moveTo(pa[0], pa[1]); ctx.lineTo(pc[0], pc[1]); ctx.stroke();
      }
      for (const name of JOINTS) {
        for (const side of ["left", "right"]) {
          const p = points[side + "_" + name];
          if (!p) continue;
          ctx.fillStyle = "rgb(" + COLOURS[side] + ")";
          ctx.beginPath(); ctx.arc(p[0], p[1], line + 1, 0, 2 * Math.PI); ctx.fill();
        }
      }
      const ends = ["left_shoulder", "right_shoulder", "left_hip", "right_hip"].map((n) => points[n]);
      if (ends.every(Boolean)) {
        const top = [(ends[0][0] + ends[1][0]) / 2, (ends[0][1] + ends[1][1]) / 2];
        const bottom = [(ends[2][0] + ends[3][0]) / 2, (ends[2][1] + ends[3][1]) / 2];
        const d = [top[0] - bottom[0], top[1] - bottom[1]];
        ctx.strokeStyle = "rgba(255,255,255,0.67)";
        ctx.lineWidth = Math.max(1, line - 1);
        ctx.beginPath();
        ctx.moveTo(bottom[0] - ov.midline[0] * d[0], bottom[1] - ov.midline[0] * d[1]);
        ctx.lineTo(top[0] + ov.midline[1] * d[0], top[1] + ov.midline[1] * d[1]);
        ctx.stroke();
      }
      ctx.font = size + "px DejaVu Sans, system-ui, sans-serif";
      ctx.textBaseline = "top";
      for (const side of ov.sides) {
        const angle = (ov.angles[side] || [])[i];
        const p = points[side + "_elbow"];
        if (!p || angle === null || angle === undefined) continue;
        const text = angle + "°";
        const x = p[0] + size * ov.label[0];
        const y = p[1] + size * ov.label[1];
        const w = ctx.measureText(text).width;
        ctx.fillStyle = "rgba(0,0,0,0.6)";
        ctx.fillRect(x - 3, y - 2, w + 6, size * 1.15 + 4);
        ctx.fillStyle = "rgb(" + COLOURS[side] + ")";
        ctx.fillText(text, x, y);
      }
      api.drawn = { i: i, t: T[i], mediaTime: shownMedia, points: points,
                    box: { ox: b.ox, oy: b.oy, cw: b.cw, ch: b.ch } };
    }

    function status(t, i) {
      const s = strideAt(t);
      const n = data.strides.length;
      readout.textContent = (s ? "stride " + s[0] + "/" + n + " · " : "") + t.toFixed(2) + " s" +
        (i >= 0 ? " · frame " + (i + 1) + "/" + T.length : "");
      const k = s ? s[0] : null;
      if (k !== lastStride) {
        lastStride = k;
        let text = P.idle;
        let on = false;
        for (const c of P.cues) {
          if (k !== null && c.strides.indexOf(k) >= 0) { text = c.title + ": " + c.cue; on = true; break; }
        }
        if (!on && P.cues.length) text = "Cue: " + P.cues[0].cue;
        cueline.textContent = text;
        cueline.classList.toggle("on", on);
        root.querySelectorAll("tr.current").forEach((r) => r.classList.remove("current"));
        if (s) {
          root.querySelectorAll("tr[data-t]").forEach((r) => {
            if (Math.abs(parseFloat(r.dataset.t) - s[1]) < 1e-3) r.classList.add("current");
          });
        }
      }
      if (bar && isFinite(video.duration)) { bar.max = video.duration; bar.value = shownMedia; }
    }

    function onFrame(now, meta) {
      shownMedia = meta && typeof meta.mediaTime === "number" ? meta.mediaTime : video.currentTime;
      if (loopSpan && !video.paused && track(shownMedia) >= loopSpan[1] - 0.5 * dt) {
        video.currentTime = media(loopSpan[0]) + 0.001;
        api.loops += 1;
      }
      draw();
      watch();
    }

    function watch() {
      if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(onFrame);
      else if (!video.paused) window.requestAnimationFrame(() => onFrame(0, null));
    }

    function seek(t, opts) {
      // show the frame nearest the moment (a stride starts between two frames)
      const i = nearest(T, t);
      if (i >= 0 && Math.abs(T[i] - t) <= dt) t = T[i];
      const go = () => {
        video.pause();
        const m = Math.max(0, Math.min(media(t) + 0.001, (video.duration || Infinity) - 0.001));
        video.currentTime = m;
        shownMedia = m;
      };
      if (video.readyState >= 1) go(); else video.addEventListener("loadedmetadata", go, { once: true });
      if (!(opts && opts.stay)) {
        const r = stage.getBoundingClientRect();
        if (r.top < 0 || r.bottom > window.innerHeight) stage.scrollIntoView();
      }
    }

    function step(dir) {
      video.pause();
      const t = track(shownMedia);
      const i = sampleAt(t);
      let target = t + dir * dt;
      if (i >= 0 && i + dir >= 0 && i + dir < T.length) target = T[i + dir];
      seek(target, { stay: true });
    }

    function setLoop(span) {
      loopSpan = span;
      loopBox.checked = !!span;
    }

    root.querySelector("[data-act=prev]").addEventListener("click", () => step(-1));
    root.querySelector("[data-act=next]").addEventListener("click", () => step(1));
    playBtn.addEventListener("click", () => {
      if (video.paused) {
        if (loopSpan) {
          const t = track(video.currentTime);
          if (t < loopSpan[0] || t >= loopSpan[1]) video.currentTime = media(loopSpan[0]) + 0.001;
        }
        video.play();
      } else video.pause();
    });
    root.querySelectorAll("[data-rate]").forEach((b) => b.addEventListener("click", () => {
      video.playbackRate = parseFloat(b.dataset.rate);
      root.querySelectorAll("[data-rate]").forEach((o) => o.classList.toggle("on", o === b));
    }));
    loopBox.addEventListener("change", () => {
      const s = strideAt(track(shownMedia)) || data.strides[0];
      setLoop(loopBox.checked && s ? [s[1], s[2]] : null);
    });
    bar.addEventListener("input", () => { video.currentTime = parseFloat(bar.value); });
    // keys while the player has the focus: arrows step a frame, space plays or pauses
    stage.addEventListener("keydown", (e) => {
      if (e.target.matches("input[type=range]")) return;
      if (e.key === "ArrowLeft" || e.key === "ArrowRight") step(e.key === "ArrowLeft" ? -1 : 1);
      else if (e.key === " " && !e.target.matches("button")) playBtn.click();
      else return;
      e.preventDefault();
    });
    video.addEventListener("play", () => { playBtn.textContent = "❚❚ Pause"; watch(); });
    video.addEventListener("pause", () => {
      playBtn.textContent = "▶ Play";
      shownMedia = video.currentTime; // the frame the video stops on
      draw();
    });
    video.addEventListener("seeked", () => { shownMedia = video.currentTime; draw(); });
    video.addEventListener("loadeddata", () => { api.ready = true; draw(); watch(); });
    video.addEventListener("error", () => {
      api.failed = true;
      cueline.textContent = "The clip (" + video.dataset.src + ") could not be loaded: keep it " +
        "in the same folder as this page. Everything else on the page works without it.";
      cueline.classList.add("on");
    });
    if (window.ResizeObserver) new ResizeObserver(draw).observe(canvas);
    else window.addEventListener("resize", draw);
    video.src = (root.dataset.base || "") + video.dataset.src;

    return { seek: seek, setLoop: setLoop, draw: draw, video: video, canvas: canvas,
             root: root, strides: data.strides, toMedia: media, toTrack: track, dt: dt };
  }

  function charts(root, data, seek) {
    const plotly = window.Plotly;
    const boxes = [];
    if (!plotly) return boxes;
    for (const c of data.charts) {
      const el = root.querySelector("#" + c.id);
      if (!el) continue;
      const layout = Object.assign({ dragmode: false, autosize: true }, c.layout);
      layout.xaxis = Object.assign({ fixedrange: true }, layout.xaxis);
      layout.yaxis = Object.assign({ fixedrange: true }, layout.yaxis);
      plotly.newPlot(el, c.data, layout, { responsive: true, displayModeBar: false });
      if (c.seek !== false) {
        el.on("plotly_click", (ev) => {
          const p = ev && ev.points && ev.points[0];
          if (!p) return;
          const t = c.seek === "x" ? p.x : p.customdata;
          if (typeof t === "number") seek(t);
        });
      }
      boxes.push(el);
    }
    return boxes;
  }

  function init() {
    const clips = document.querySelectorAll(".acr-clip");
    if (clips.length) {
      window.acrPlayers = [];
      clips.forEach((root) => {
        const block = root.querySelector("script.acr-data");
        if (block) window.acrPlayers.push(start(root, JSON.parse(block.textContent)));
      });
      window.acrPlayer = window.acrPlayers[0];
      return;
    }
    const root = document.querySelector(".acr");
    const block = root && root.querySelector("#acr-data");
    if (!block) return;
    window.acrPlayer = start(root, JSON.parse(block.textContent));
    window.acrPlayers = [window.acrPlayer];
  }

  function start(root, data) {
    const api = { ready: false, drawn: null, charts: 0, loops: 0 };
    let player = null;
    if (data.player && part(root, "video")) {
      player = Player(root, data, api);
      Object.assign(api, player);
    }
    const seek = (t) => { if (player) player.seek(t); };
    api.charts = charts(root, data, seek).length;
    root.addEventListener("click", (e) => {
      const target = e.target;
      if (!player || target.closest("details, a, input, label, .controls, .chart")) return;
      const img = target.closest("img[data-times]");
      if (img) {
        const times = img.dataset.times.split(",").map(parseFloat);
        const r = img.getBoundingClientRect();
        const k = Math.min(times.length - 1, Math.max(0, Math.floor((e.clientX - r.left) / r.width * times.length)));
        if (isFinite(times[k])) player.seek(times[k]);
        return;
      }
      const el = target.closest("[data-t]");
      if (!el || el.dataset.t === "") return;
      const t = parseFloat(el.dataset.t);
      if (el.dataset.tEnd) player.setLoop([t, parseFloat(el.dataset.tEnd)]);
      player.seek(t);
    });
    const opened = [];
    window.addEventListener("beforeprint", () => {
      root.querySelectorAll("details:not([open])").forEach((d) => { d.open = true; opened.push(d); });
      root.querySelectorAll(".chart.js-plotly-plot").forEach((el) => window.Plotly.relayout(el, { width: PRINT_WIDTH }));
    });
    window.addEventListener("afterprint", () => {
      opened.splice(0).forEach((d) => { d.open = false; });
      root.querySelectorAll(".chart.js-plotly-plot").forEach((el) => window.Plotly.relayout(el, { width: null, autosize: true }));
    });
    return api;
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
