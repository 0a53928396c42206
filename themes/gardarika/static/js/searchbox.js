/* Gardarika theme: the search box in the header (search needs JavaScript, so without
   it there is no box; the menu's archives are the way to every article).
   SPDX-License-Identifier: AGPL-3.0-or-later */
(function () {
  var box = document.getElementById("site-search");
  if (!box || !document.createElement("form").setAttribute) { return; }
  var form = document.createElement("form");
  form.setAttribute("role", "search");
  form.setAttribute("action", box.getAttribute("data-action"));
  form.className = "site-search-form";
  var label = document.createElement("label");
  label.setAttribute("for", "site-search-query");
  label.className = "visually-hidden";
  label.appendChild(document.createTextNode(box.getAttribute("data-label")));
  var input = document.createElement("input");
  input.setAttribute("type", "search");
  input.setAttribute("name", "q");
  input.setAttribute("id", "site-search-query");
  var button = document.createElement("button");
  button.setAttribute("type", "submit");
  button.appendChild(document.createTextNode(box.getAttribute("data-button")));
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(button);
  while (box.firstChild) { box.removeChild(box.firstChild); }
  box.appendChild(form);
})();
