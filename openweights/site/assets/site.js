/* owcheck site: sorting, filtering and paging of the index table.
   The table is complete in the HTML; this script only reorders, hides and pages its rows. The
   column meta (how each column sorts, the order of ranked values) is read from the table
   header, which owcheck writes from the same table that renders the cells. State lives in the
   URL fragment (#q=llama&tier=open-weights&sort=grade&dir=desc&page=2), so a view can be linked
   and survives a visit to a model page. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("DOMContentLoaded", init);

  var DIRECTIONS = { rank: ["most open first", "least open first"], text: ["A to Z", "Z to A"],
                     num: ["smallest first", "largest first"] };
  // Maps keyed by text from the page or the URL have no prototype: "__proto__" is just a key.
  function dict() { return Object.create(null); }

  var DEFAULTS = { q: "", tier: "", license: "", org: "", sort: "", dir: "asc", page: 1, size: 100 };

  function init() {
    var table = document.getElementById("models");
    if (!table) { return; }
    var tbody = table.tBodies[0];
    var caption = table.caption;
    var initialCaption = caption.textContent;
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var cols = heads.map(function (th, index) {
      var order = (th.getAttribute("data-order") || "").split(" ").filter(Boolean);
      var rank = dict();
      order.forEach(function (value, i) { rank[value] = i; });
      return { th: th, index: index, key: th.getAttribute("data-key"),
               sort: th.getAttribute("data-sort"), marked: th.hasAttribute("data-marked"),
               rank: rank, size: order.length, keys: null };
    });
    var byKey = dict();
    cols.forEach(function (col) { byKey[col.key] = col; });

    // A cell's value is its text; in marked columns, the text after the symbol and a space.
    function valueOf(col, tr) {
      var text = tr.cells[col.index].textContent;
      return col.marked ? text.slice(text.indexOf(" ") + 1) : text;
    }

    var records = Array.prototype.slice.call(tbody.rows).map(function (tr, i) {
      return { tr: tr, i: i, org: "", license: "", tier: "", text: null };
    });
    // What the filters look at is read from the rows the first time a filter is used: until
    // then the counts written in the page are right, and the page is usable sooner.
    var orgs = dict();
    var facetsRead = false;
    function readFacets() {
      if (facetsRead) { return; }
      records.forEach(function (rec) {
        var org = rec.tr.getAttribute("data-org");
        if (org === null) {
          var id = rec.tr.cells[0].textContent;
          org = id.slice(0, id.indexOf("/"));
        }
        rec.org = org;
        orgs[org.toLowerCase()] = true;
        rec.license = byKey.license ? valueOf(byKey.license, rec.tr) : "";
        rec.tier = byKey.tier ? valueOf(byKey.tier, rec.tr) : "";
      });
      facetsRead = true;
    }
    var state = readState();
    var form = document.getElementById("filters");
    var q = document.getElementById("f-q");
    var tier = document.getElementById("f-tier");
    var license = document.getElementById("f-license");
    var org = document.getElementById("f-org");
    var size = document.getElementById("f-size");
    var status = document.getElementById("status");
    var pager = document.getElementById("pager");
    var prev = document.getElementById("prev");
    var next = document.getElementById("next");
    var pageinfo = document.getElementById("pageinfo");
    var ordered = records;

    function keyOf(col, rec) {
      var value = valueOf(col, rec.tr);
      if (col.sort === "rank") {
        return value in col.rank ? col.rank[value] : col.size;
      }
      if (col.sort === "num") {
        var n = parseFloat(value);
        return isNaN(n) ? Infinity : n;
      }
      return value.toLowerCase();
    }

    function sortRecords() {
      var col = byKey[state.sort];
      if (!col) { ordered = records; return; }
      if (!col.keys) { col.keys = records.map(function (rec) { return keyOf(col, rec); }); }
      var keys = col.keys;
      var sign = state.dir === "desc" ? -1 : 1;
      ordered = records.slice().sort(function (a, b) {
        var ka = keys[a.i], kb = keys[b.i];
        if (ka < kb) { return -sign; }
        if (ka > kb) { return sign; }
        return a.i - b.i;
      });
    }

    function haystack(rec) {
      if (rec.text === null) { rec.text = rec.tr.textContent.toLowerCase(); }
      return rec.text;
    }

    function orgMatches(rec, wanted) {
      if (!wanted) { return true; }
      var have = rec.org.toLowerCase();
      return orgs[wanted] ? have === wanted : have.indexOf(wanted) !== -1;
    }

    function apply() {
      var words = state.q.toLowerCase().split(/\s+/).filter(Boolean);
      var wantedOrg = state.org.trim().toLowerCase();
      var shown = filtered(words, wantedOrg);
      render(shown);
    }

    function filtered(words, wantedOrg) {
      if (!facetsRead && !words.length && !wantedOrg && !state.tier && !state.license) {
        return ordered;  // nothing to filter, and the counts in the page are still right
      }
      readFacets();
      var tierCounts = dict(), licenseCounts = dict(), shown = [];
      var tierAll = 0, licenseAll = 0;
      for (var n = 0; n < ordered.length; n++) {
        var rec = ordered[n];
        var okText = true;
        for (var w = 0; w < words.length && okText; w++) {
          okText = haystack(rec).indexOf(words[w]) !== -1;
        }
        var okOrg = orgMatches(rec, wantedOrg);
        var okTier = !state.tier || rec.tier === state.tier;
        var okLicense = !state.license || rec.license === state.license;
        if (okText && okOrg && okLicense) {
          tierCounts[rec.tier] = (tierCounts[rec.tier] || 0) + 1; tierAll++;
        }
        if (okText && okOrg && okTier) {
          licenseCounts[rec.license] = (licenseCounts[rec.license] || 0) + 1; licenseAll++;
        }
        if (okText && okOrg && okTier && okLicense) { shown.push(rec); }
      }
      relabel(tier, tierCounts, tierAll);
      relabel(license, licenseCounts, licenseAll);
      return shown;
    }

    function render(shown) {
      var pages = Math.max(1, Math.ceil(shown.length / state.size));
      if (state.page > pages) { state.page = pages; }
      if (state.page < 1) { state.page = 1; }
      var start = (state.page - 1) * state.size;
      var slice = shown.slice(start, start + state.size);
      var frag = document.createDocumentFragment();
      slice.forEach(function (rec) { frag.appendChild(rec.tr); });
      tbody.textContent = "";
      tbody.appendChild(frag);

      var total = records.length;
      if (shown.length === 0) {
        status.textContent = "No model matches these filters (" + fmt(total) + " in all).";
      } else {
        status.textContent = "Showing " + fmt(start + 1) + "–" + fmt(start + slice.length) +
          " of " + fmt(shown.length) + (shown.length === 1 ? " model" : " models") +
          (shown.length === total ? "." : " (" + fmt(total) + " in all).");
      }
      pageinfo.textContent = "Page " + fmt(state.page) + " of " + fmt(pages);
      prev.disabled = state.page <= 1;
      next.disabled = state.page >= pages;
      var sorted = byKey[state.sort];
      if (sorted) {
        var words = DIRECTIONS[sorted.sort] || DIRECTIONS.text;
        caption.textContent = "Models sorted by " + sorted.th.textContent + " (" +
          words[state.dir === "desc" ? 1 : 0] + ")";
      } else {
        caption.textContent = initialCaption;
      }
      cols.forEach(function (col) {
        if (col.key === state.sort) {
          col.th.setAttribute("aria-sort", state.dir === "desc" ? "descending" : "ascending");
        } else {
          col.th.setAttribute("aria-sort", "none");
        }
      });
      writeState();
    }

    function relabel(select, counts, all) {
      var options = select.options;
      for (var i = 0; i < options.length; i++) {
        var option = options[i];
        var count = option.value ? counts[option.value] || 0 : all;
        option.textContent = option.getAttribute("data-label") + " (" + fmt(count) + ")";
      }
    }

    function fmt(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }

    function readState() {
      var out = {};
      Object.keys(DEFAULTS).forEach(function (k) { out[k] = DEFAULTS[k]; });
      var params = new URLSearchParams(location.hash.replace(/^#/, ""));
      ["q", "tier", "license", "org", "sort"].forEach(function (k) {
        if (params.has(k)) { out[k] = params.get(k); }
      });
      if (params.get("dir") === "desc") { out.dir = "desc"; }
      var page = parseInt(params.get("page") || "", 10);
      if (page > 0) { out.page = page; }
      var rows = parseInt(params.get("size") || "", 10);
      if ([25, 100, 500].indexOf(rows) !== -1) { out.size = rows; }
      if (!byKey[out.sort]) { out.sort = ""; }
      return out;
    }

    function writeState() {
      var params = new URLSearchParams();
      Object.keys(DEFAULTS).forEach(function (k) {
        if (state[k] !== DEFAULTS[k]) { params.set(k, String(state[k])); }
      });
      var hash = params.toString();
      var url = location.href.replace(/#.*$/, "") + (hash ? "#" + hash : "");
      if (url !== location.href) { history.replaceState(null, "", url); }
    }

    function setControls() {
      q.value = state.q;
      tier.value = state.tier;
      license.value = state.license;
      org.value = state.org;
      size.value = String(state.size);
      if (tier.value !== state.tier) { state.tier = ""; tier.value = ""; }
      if (license.value !== state.license) { state.license = ""; license.value = ""; }
    }

    var timer = null;
    function later() {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(function () { timer = null; fromControls(); }, 120);
    }
    function fromControls() {
      state.q = q.value;
      state.tier = tier.value;
      state.license = license.value;
      state.org = org.value;
      state.size = parseInt(size.value, 10) || DEFAULTS.size;
      state.page = 1;
      apply();
    }

    q.addEventListener("input", later);
    org.addEventListener("input", later);
    tier.addEventListener("change", fromControls);
    license.addEventListener("change", fromControls);
    size.addEventListener("change", fromControls);
    form.addEventListener("submit", function (event) { event.preventDefault(); fromControls(); });
    form.addEventListener("reset", function () { setTimeout(fromControls, 0); });
    prev.addEventListener("click", function () { state.page--; apply(); });
    next.addEventListener("click", function () { state.page++; apply(); });

    cols.forEach(function (col) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (col.th.firstChild) { button.appendChild(col.th.firstChild); }
      col.th.appendChild(button);
      button.addEventListener("click", function () {
        if (state.sort === col.key) {
          state.dir = state.dir === "asc" ? "desc" : "asc";
        } else {
          state.sort = col.key;
          state.dir = "asc";
        }
        state.page = 1;
        sortRecords();
        apply();
      });
    });

    setControls();
    sortRecords();
    form.hidden = false;
    pager.hidden = false;
    apply();
    document.documentElement.setAttribute("data-ready", String(Math.round(performance.now())));
  }
})();
