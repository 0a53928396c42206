/* Gardarika theme: the search box in the header. Search needs JavaScript, so without it
   there is no box (the menu's archives are the way to every article). The town's index
   and the search scripts are loaded only once the box is used (plain script elements:
   they load from a USB stick too); then the first results show under the box as the
   words are typed, and Enter or «Найти» opens the search page with all of them.
   Escape closes the list. Plain ES5 for old browsers.
   SPDX-License-Identifier: AGPL-3.0-or-later */
(function () {
  var box = document.getElementById("site-search");
  if (!box || !document.createElement("form").setAttribute) { return; }
  var SHOWN = 8;
  var action = box.getAttribute("data-action");
  // the index's addresses are relative to the site's root, like the search page's
  var root = action.slice(0, action.lastIndexOf("/") + 1);

  function element(name, attributes, text) {
    var made = document.createElement(name), key;
    for (key in attributes) {
      if (attributes.hasOwnProperty(key)) { made.setAttribute(key, attributes[key]); }
    }
    if (text) { made.appendChild(document.createTextNode(text)); }
    return made;
  }

  var form = element("form", { role: "search", action: action, "class": "site-search-form" });
  var label = element("label", { "for": "site-search-query", "class": "visually-hidden" },
    box.getAttribute("data-label"));
  var input = element("input", {
    type: "search", name: "q", id: "site-search-query", autocomplete: "off",
    "aria-controls": "site-search-results"
  });
  var button = element("button", { type: "submit" }, box.getAttribute("data-button"));
  var panel = element("div", { id: "site-search-results", "class": "site-search-results" });
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

  var engine = null, loading = false, timer = null, waiting = [];

  /* the index, the stemmer and the engine, each a script, one after another */
  function load(then) {
    if (engine) { then(); return; }
    waiting.push(then);
    if (loading) { return; }
    loading = true;
    var sources = [box.getAttribute("data-index"), box.getAttribute("data-stemmer"),
      box.getAttribute("data-engine")];
    function next(number) {
      if (number === sources.length) {
        if (window.GARDARIKA_SEARCH && window.GardarikaStemmer && window.GardarikaSearchEngine) {
          engine = window.GardarikaSearchEngine(window.GARDARIKA_SEARCH, window.GardarikaStemmer);
          while (waiting.length) { waiting.shift()(); }
        }
        return;
      }
      var script = element("script", { src: sources[number] });
      script.onload = function () { next(number + 1); };
      script.onerror = function () { loading = false; waiting = []; };
      document.body.appendChild(script);
    }
    next(0);
  }

  function close() { panel.hidden = true; }

  function show() {
    var query = input.value, found, i, doc, item, link, more;
    while (list.firstChild) { list.removeChild(list.firstChild); }
    found = engine.search(query, !/\s$/.test(query));
    if (!found.words) { close(); return; }
    panel.hidden = false;
    if (!found.results.length) {
      status.textContent = box.getAttribute("data-nothing");
      return;
    }
    status.textContent = box.getAttribute("data-found").replace("%(num)s", found.results.length);
    for (i = 0; i < found.results.length && i < SHOWN; i += 1) {
      doc = engine.index.docs[found.results[i][1]];
      item = element("li", {});
      link = element("a", { href: root + doc[0] }, doc[1]);
      item.appendChild(link);
      if (doc[2]) { item.appendChild(element("span", { "class": "search-date" }, doc[2])); }
      list.appendChild(item);
    }
    if (found.results.length > SHOWN) {
      more = element("li", { "class": "site-search-more" });
      more.appendChild(element("a", { href: action + "?q=" + encodeURIComponent(query) },
        box.getAttribute("data-all")));
      list.appendChild(more);
    }
  }

  input.onfocus = function () { load(function () {}); };
  input.oninput = function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(function () { load(show); }, 120);
  };
  input.onkeydown = function (event) {
    if ((event.key || event.keyCode) === "Escape" || event.keyCode === 27) { close(); }
  };
  document.addEventListener("click", function (event) {
    if (!box.contains(event.target)) { close(); }
  });
})();
