/* Gardarika theme: the search page, over window.GARDARIKA_SEARCH (search-index.js) with
   the shared engine (searchengine.js). Results as the words are typed, each with its
   date and a snippet with the matched words marked. Plain ES5 for old browsers.
   SPDX-License-Identifier: AGPL-3.0-or-later */
(function () {
  var index = window.GARDARIKA_SEARCH;
  var stemmer = window.GardarikaStemmer;
  var app = document.getElementById("search-app");
  if (!app || !index || !stemmer || !window.GardarikaSearchEngine) { return; }
  var status = document.getElementById("search-status");
  // the form is made here: without this script it would be a form that finds nothing
  var form = document.createElement("form");
  form.id = "search-form";
  form.className = "search-form";
  form.setAttribute("role", "search");
  form.setAttribute("action", "search.html");
  var label = document.createElement("label");
  label.setAttribute("for", "search-query");
  label.appendChild(document.createTextNode(app.getAttribute("data-label")));
  var input = document.createElement("input");
  input.id = "search-query";
  input.setAttribute("type", "search");
  input.setAttribute("name", "q");
  input.setAttribute("autocomplete", "off");
  var button = document.createElement("button");
  button.setAttribute("type", "submit");
  button.appendChild(document.createTextNode(app.getAttribute("data-button")));
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(button);
  app.insertBefore(form, status);
  var list = document.getElementById("search-results");
  var engine = window.GardarikaSearchEngine(index, stemmer);
  var search = engine.search, snippet = engine.snippet;

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;");
  }

  function show(query, typing) {
    var found = search(query, typing), i, doc, item, html;
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (!found.words) { status.innerHTML = escapeHtml(app.getAttribute("data-empty")); return; }
    if (!found.results.length) { status.innerHTML = escapeHtml(app.getAttribute("data-nothing")); return; }
    status.innerHTML = escapeHtml(app.getAttribute("data-found").replace("%(num)s", found.results.length));
    for (i = 0; i < found.results.length; i += 1) {
      doc = index.docs[found.results[i][1]];
      item = document.createElement("li");
      html = '<a href="' + escapeHtml(doc[0]) + '">' + escapeHtml(doc[1]) + "</a>";
      if (doc[2]) { html += ' <span class="search-date">' + escapeHtml(doc[2]) + "</span>"; }
      html += '<p class="search-snippet">' + snippet(doc[3], found.stems) + "</p>";
      item.innerHTML = html;
      list.appendChild(item);
    }
  }

  function queryFromAddress() {
    var match = /[?&]q=([^&#]*)/.exec(window.location.search || "");
    if (!match) { return ""; }
    try { return decodeURIComponent(match[1].replace(/\+/g, " ")); } catch (e) { return ""; }
  }

  var timer = null;
  input.value = queryFromAddress();
  input.oninput = function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(function () { show(input.value, !/\s$/.test(input.value)); }, 120);
  };
  form.onsubmit = function () { show(input.value, false); return false; };
  show(input.value, false);
  window.GardarikaSearch = { search: search };
})();
