// armcarriage team dashboard: sort and filter athlete cards and tables (no dependencies).
(function () {
  "use strict";
  function each(list, fn) { Array.prototype.forEach.call(list, fn); }
  function cuesOf(el) {
    try { return JSON.parse(el.getAttribute("data-cues") || "[]"); } catch (err) { return []; }
  }
  function num(text) {
    var n = parseFloat(text);
    return (text !== null && text !== "" && isFinite(text) && !isNaN(n)) ? n : null;
  }
  function compare(x, y) {
    if (x === y) return 0;
    if (x === null || x === "") return 1;  // blanks last whatever the direction
    if (y === null || y === "") return -1;
    if (typeof x !== typeof y) { x = String(x); y = String(y); }
    return x < y ? -1 : 1;
  }

  // ---- tables: click a header to sort (again to reverse) ----
  function sortTable(table, col, asc) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    function key(row) {
      var cell = row.cells[col];
      if (!cell) return null;
      var s = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
      var n = num(s);
      return n !== null ? n : s.toLowerCase();
    }
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      if (x === null || x === "" || y === null || y === "") return compare(x, y);
      return compare(x, y) * (asc ? 1 : -1);
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  each(document.querySelectorAll("table.sortable"), function (table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    each(heads, function (th, col) {
      th.setAttribute("tabindex", "0");
      function go() {
        var asc = !th.classList.contains("asc");
        each(heads, function (h) { h.classList.remove("asc", "desc"); h.removeAttribute("aria-sort"); });
        th.classList.add(asc ? "asc" : "desc");
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        sortTable(table, col, asc);
      }
      th.addEventListener("click", go);
      th.addEventListener("keydown", function (ev) { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); go(); } });
    });
  });

  // ---- athlete cards: sort by name, latest date, sessions or a metric's latest value ----
  var cards = document.getElementById("cards");
  var sortSel = document.getElementById("sort-cards");
  var dirBtn = document.getElementById("sort-dir");
  function sortCards() {
    if (!cards || !sortSel) return;
    var by = sortSel.value, asc = !dirBtn || dirBtn.getAttribute("data-dir") !== "desc";
    var items = Array.prototype.slice.call(cards.children);
    function key(card) {
      if (by === "name") return card.getAttribute("data-name") || "";
      if (by === "date") return card.getAttribute("data-date") || "";
      if (by === "sessions") return num(card.getAttribute("data-sessions"));
      return num(card.getAttribute("data-m-" + by.slice(2)));
    }
    items.sort(function (a, b) {
      var x = key(a), y = key(b);
      if (x === null || x === "" || y === null || y === "") return compare(x, y);
      var c = compare(x, y) * (asc ? 1 : -1);
      return c || compare(a.getAttribute("data-name"), b.getAttribute("data-name"));
    });
    items.forEach(function (c) { cards.appendChild(c); });
  }
  if (sortSel) sortSel.addEventListener("change", sortCards);
  if (dirBtn) dirBtn.addEventListener("click", function () {
    var desc = dirBtn.getAttribute("data-dir") !== "desc";
    dirBtn.setAttribute("data-dir", desc ? "desc" : "asc");
    dirBtn.textContent = desc ? "descending" : "ascending";
    sortCards();
  });

  // ---- filter: by cue (cards and table rows carrying data-cues) and by athlete name ----
  var cueSel = document.getElementById("cue-filter");
  var search = document.getElementById("athlete-search");
  var shown = document.getElementById("shown");
  function filter() {
    var cue = cueSel ? cueSel.value : "";
    var text = search ? search.value.trim().toLowerCase() : "";
    var nCards = 0, total = 0;
    each(document.querySelectorAll("[data-cues]"), function (el) {
      var ok = !cue || cuesOf(el).indexOf(cue) >= 0;
      if (ok && text) {
        var name = el.getAttribute("data-name") || (el.cells && el.cells[0] ? el.cells[0].textContent.toLowerCase() : "");
        ok = name.indexOf(text) >= 0;
      }
      el.hidden = !ok;
      if (el.classList.contains("athlete")) { total += 1; if (ok) nCards += 1; }
    });
    if (shown) shown.textContent = (cue || text) ? nCards + " of " + total + " athletes" : "";
  }
  if (cueSel) cueSel.addEventListener("change", filter);
  if (search) search.addEventListener("input", filter);
})();
