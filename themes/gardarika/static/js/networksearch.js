/* Gardarika theme: the portal's search over every town, offline.
   Each town's own index (its search-index.js, in the portal's language) is loaded with
   a plain script element, one after another, only once the box is used: no fetch, no
   WebAssembly, so it works from a USB stick as on a web server. Every index is searched
   with the town's own engine (searchengine.js); the results of all towns are ranked
   together and each is labelled with its town. Plain ES5 for old browsers.
   SPDX-License-Identifier: AGPL-3.0-or-later */
(function () {
  var box = document.getElementById("network-search");
  if (!box || !document.createElement("form").setAttribute || !window.JSON) { return; }
  var SHOWN = 20;
  var towns = JSON.parse(box.getAttribute("data-towns") || "[]");

  function element(name, attributes, text) {
    var made = document.createElement(name), key;
    for (key in attributes) {
      if (attributes.hasOwnProperty(key)) { made.setAttribute(key, attributes[key]); }
    }
    if (text) { made.appendChild(document.createTextNode(text)); }
    return made;
  }

  var form = element("form", { role: "search", "class": "site-search-form" });
  var label = element("label", { "for": "network-search-query", "class": "visually-hidden" },
    box.getAttribute("data-label"));
  var input = element("input", {
    type: "search", name: "q", id: "network-search-query", autocomplete: "off",
    "aria-controls": "network-search-results", placeholder: box.getAttribute("data-label")
  });
  var button = element("button", { type: "submit" }, box.getAttribute("data-button"));
  var panel = element("div", { id: "network-search-results", "class": "site-search-results" });
  var status = element("p", { role: "status", "aria-live": "polite", "class": "site-search-status" });
  var list = element("ul", {});
  panel.hidden = true;
  panel.appendChild(status);
  panel.appendChild(list);
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(button);
  while (box.firstChild) { box.removeChild(box.firstChild); }
  box.appendChild(form);
  box.appendChild(panel);

  /* [{name, root, engine}] once everything is loaded */
  var engines = null, loading = false, waiting = [], timer = null;

  function script(source, then) {
    var made = element("script", { src: source });
    made.onload = function () { then(true); };
    made.onerror = function () { then(false); };
    document.body.appendChild(made);
  }

  /* the stemmer and the engine, then every town's index, all requested at once (a
     script's load event comes right after it ran, before any other script runs, so
     each index is taken as soon as it has set window.GARDARIKA_SEARCH) */
  function load(then) {
    if (engines) { then(); return; }
    if (waiting.indexOf(then) < 0) { waiting.push(then); }
    if (loading) { return; }
    loading = true;
    status.textContent = box.getAttribute("data-loading");
    var found = [], left = towns.length;
    function done() {
      engines = [];
      for (var i = 0; i < found.length; i += 1) {
        // a town whose index is missing is left out, never the whole search
        if (found[i]) {
          found[i].engine = window.GardarikaSearchEngine(found[i].index, window.GardarikaStemmer);
          engines.push(found[i]);
        }
      }
      status.textContent = "";
      while (waiting.length) { waiting.shift()(); }
    }
    script(box.getAttribute("data-stemmer"), function () {
      script(box.getAttribute("data-engine"), function () {
        if (!left) { done(); }
      });
    });
    function take(number) {
      return function (ok) {
        found[number] = ok && window.GARDARIKA_SEARCH ?
          { name: towns[number][0], root: towns[number][2], index: window.GARDARIKA_SEARCH } : null;
        window.GARDARIKA_SEARCH = null;
        left -= 1;
        if (!left && window.GardarikaSearchEngine) { done(); }
      };
    }
    for (var n = 0; n < towns.length; n += 1) { script(towns[n][1], take(n)); }
  }

  function close() { panel.hidden = true; }

  function show() {
    var query = input.value, ranked = [], words = 0, stems = {}, i, j, found, hit, doc, item;
    while (list.firstChild) { list.removeChild(list.firstChild); }
    for (i = 0; i < engines.length; i += 1) {
      found = engines[i].engine.search(query, !/\s$/.test(query));
      words = found.words;
      for (j = 0; j < found.results.length; j += 1) {
        ranked.push([found.results[j][0], i, found.results[j][1], found.stems]);
      }
    }
    if (!words) { close(); return; }
    panel.hidden = false;
    if (!ranked.length) {
      status.textContent = box.getAttribute("data-nothing");
      return;
    }
    // by score; ties by town, then by the town's own order
    ranked.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1] || a[2] - b[2]; });
    status.textContent = box.getAttribute("data-found").replace("%(num)s", ranked.length);
    for (i = 0; i < ranked.length && i < SHOWN; i += 1) {
      hit = engines[ranked[i][1]];
      doc = hit.engine.index.docs[ranked[i][2]];
      stems = ranked[i][3];
      item = element("li", {});
      item.appendChild(element("a", { href: hit.root + doc[0] }, doc[1]));
      item.appendChild(element("span", { "class": "search-town" }, hit.name + (doc[2] ? " · " + doc[2] : "")));
      if (doc[3]) {
        var snippet = element("p", { "class": "search-snippet" });
        snippet.innerHTML = hit.engine.snippet(doc[3], stems);
        item.appendChild(snippet);
      }
      list.appendChild(item);
    }
  }

  input.onfocus = function () { load(function () {}); };
  input.oninput = function () {
    if (timer) { clearTimeout(timer); }
    // while the towns' indexes load, the query waits for them; after, the typing pauses
    if (!engines) { load(show); return; }
    timer = setTimeout(show, 80);
  };
  form.onsubmit = function (event) {
    if (event && event.preventDefault) { event.preventDefault(); }
    load(show);
    return false;
  };
  input.onkeydown = function (event) {
    if ((event.key || event.keyCode) === "Escape" || event.keyCode === 27) { close(); }
  };
})();
