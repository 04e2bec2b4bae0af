/* flows connector catalog: fills in the registry URL and filters the prebuilt index. */
(function () {
  "use strict";

  function registryUrl() {
    var body = document.body;
    var root = body.getAttribute("data-registry-root") || "";
    if (body.hasAttribute("data-registry-baked")) { return root; }
    try { return new URL(root, window.location.href).href; } catch (e) { return root; }
  }

  var url = registryUrl();
  var spans = document.querySelectorAll(".registry-url");
  for (var i = 0; i < spans.length; i++) { spans[i].textContent = url; }

  var data = window.FLOWS_CATALOG;
  var list = document.getElementById("results");
  if (!data || !list) { return; }

  var rows = data.connectors;
  var LIMIT = 200;
  var text = document.getElementById("q");
  var level = document.getElementById("level");
  var capability = document.getElementById("capability");
  var source = document.getElementById("source");
  var count = document.getElementById("count");
  var shown = LIMIT;
  var haystacks = rows.map(function (r) {
    return (r.name + " " + r.title + " " + r.description + " " + r.capabilities.join(" ")).toLowerCase();
  });
  var capstacks = rows.map(function (r) { return r.capabilities.join(" ").toLowerCase(); });

  function item(r) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.className = "title";
    a.href = "c/" + encodeURIComponent(r.name) + "/index.html";
    a.textContent = r.title === r.name ? r.name : r.title + " (" + r.name + ")";
    var desc = document.createElement("p");
    desc.className = "desc";
    desc.textContent = r.description;
    var meta = document.createElement("p");
    meta.className = "meta";
    meta.textContent = "level " + (r.level || "none") + " · latest " + r.latest +
      (r.latest_yanked ? " (yanked)" : "") + " · " + r.source + " · " + r.operations +
      " operations · capabilities: " + (r.capabilities.join(", ") || "none");
    li.appendChild(a);
    li.appendChild(desc);
    li.appendChild(meta);
    return li;
  }

  function matches() {
    var words = text.value.toLowerCase().split(/\s+/).filter(Boolean);
    var cap = capability.value.toLowerCase().trim();
    var lvl = level.value;
    var src = source.value;
    var out = [];
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      if (lvl && r.level !== lvl) { continue; }
      if (src && r.source !== src) { continue; }
      if (cap && capstacks[i].indexOf(cap) < 0) { continue; }
      var ok = true;
      for (var w = 0; w < words.length; w++) {
        if (haystacks[i].indexOf(words[w]) < 0) { ok = false; break; }
      }
      if (ok) { out.push(r); }
    }
    return out;
  }

  function render() {
    var found = matches();
    var fragment = document.createDocumentFragment();
    var n = Math.min(found.length, shown);
    for (var i = 0; i < n; i++) { fragment.appendChild(item(found[i])); }
    list.replaceChildren(fragment);
    count.textContent = found.length + " of " + rows.length + " connectors match" +
      (n < found.length ? "; showing the first " + n : "") + ".";
    var more = document.getElementById("more");
    if (n < found.length) {
      if (!more) {
        more = document.createElement("button");
        more.id = "more";
        more.type = "button";
        more.textContent = "Show all matches";
        more.addEventListener("click", function () { shown = rows.length; render(); });
        list.parentNode.insertBefore(more, list.nextSibling);
      }
    } else if (more) {
      more.remove();
    }
  }

  function reset() { shown = LIMIT; render(); }
  [text, capability].forEach(function (el) { el.addEventListener("input", reset); });
  [level, source].forEach(function (el) { el.addEventListener("change", reset); });
  var params = new URLSearchParams(window.location.search);
  if (params.get("q")) { text.value = params.get("q"); }
  render();
  document.documentElement.setAttribute("data-ready-ms", String(Math.round(performance.now())));
  document.documentElement.setAttribute("data-catalog-ready", String(rows.length));
}());
