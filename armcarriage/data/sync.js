// armcarriage: players of one page kept in step by stride phase. The player last played,
// stepped or seeked leads; every other player is moved to the same fraction of the
// same-numbered stride of its own clip (wrapping round when it has fewer strides), so two
// runners are seen at the same moment of their stride whatever their cadence. An element
// with data-player (an index into window.acrPlayers) and data-t shows that moment.
"use strict";

(function () {
  function strideAt(strides, t) {
    for (const s of strides) if (s[1] <= t && t < s[2]) return s;
    return null;
  }

  function follow(api, k, f) {
    const n = api.strides.length;
    if (!n) return;
    const s = api.strides[(k - 1) % n];
    const t = s[1] + f * (s[2] - s[1]);
    const m = Math.max(0, api.toMedia(t) + 0.001);
    api.synced = { stride: s[0], phase: f, t: t, media: m };
    const v = api.video;
    if (!v.paused) v.pause();
    if (!v.seeking) settle(api);
  }

  // move a follower to its latest target, unless it is there (to half a frame); a target
  // that arrives while a seek is under way is taken up when that seek ends
  function settle(api) {
    const v = api.video;
    if (api.synced && Math.abs(v.currentTime - api.synced.media) > 0.5 * api.dt) {
      v.currentTime = api.synced.media;
    }
  }

  function link(players) {
    let leader = null;
    const sync = { leader: -1, phase: null };
    window.acrSync = sync;
    players.forEach((p, i) => {
      const lead = () => { leader = p; sync.leader = i; };
      p.video.addEventListener("play", () => {
        lead();
        players.forEach((o) => { if (o !== p && !o.video.paused) o.video.pause(); });
      });
      p.video.addEventListener("seeked", () => { if (leader !== p) settle(p); });
      p.root.addEventListener("pointerdown", lead, true);
      p.root.addEventListener("keydown", lead, true);
      p.shown = (t) => {
        if (leader !== p) return;
        const s = strideAt(p.strides, t);
        if (!s) return;
        const f = (t - s[1]) / (s[2] - s[1]);
        sync.phase = { stride: s[0], phase: f, t: t };
        players.forEach((o) => { if (o !== p) follow(o, s[0], f); });
      };
    });
  }

  function init() {
    const all = window.acrPlayers || [];
    const players = all.filter((p) => p.video && p.strides);
    if (players.length > 1) link(players);
    // a button or row outside the players that shows a moment of one clip
    document.addEventListener("click", (e) => {
      const el = e.target.closest("[data-player][data-t]");
      const p = el && all[parseInt(el.dataset.player, 10)];
      if (!p || !p.seek) return;
      p.root.dispatchEvent(new Event("pointerdown"));
      p.seek(parseFloat(el.dataset.t));
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
