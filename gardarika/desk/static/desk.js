/* Gardarika's editor's desk: the toolbar and photos dropped into the text. The desk
   works without this script; it only adds. Plain ES5.
   SPDX-License-Identifier: AGPL-3.0-or-later */
(function () {
  var body = document.getElementById("body");
  var toolbar = document.querySelector(".desk-toolbar");
  if (!body || !toolbar) { return; }
  toolbar.hidden = false;
  var form = body.form;

  function replace(start, end, text, selectFrom, selectTo) {
    body.focus();
    body.setRangeText(text, start, end, "end");
    if (selectFrom !== undefined) { body.setSelectionRange(selectFrom, selectTo); }
    body.dispatchEvent(new Event("input"));
  }

  toolbar.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) { return; }
    var start = body.selectionStart, end = body.selectionEnd;
    var chosen = body.value.slice(start, end);
    var wrap = button.getAttribute("data-wrap");
    var line = button.getAttribute("data-line");
    if (wrap) {
      replace(start, end, wrap + chosen + wrap, start + wrap.length, start + wrap.length + chosen.length);
    } else if (line) {
      var lineStart = body.value.lastIndexOf("\n", start - 1) + 1;
      var lines = body.value.slice(lineStart, end).split("\n");
      var text = lines.map(function (l) { return line + l; }).join("\n");
      replace(lineStart, end, text);
    } else if (button.getAttribute("data-link")) {
      var label = chosen || "текст ссылки";
      var made = "[" + label + "](https://)";
      replace(start, end, made, start + label.length + 3, start + label.length + 11);
    }
  });

  function upload(file) {
    var data = new FormData();
    data.append("token", form.elements.token.value);
    data.append("photo", file, file.name);
    data.append("photo_alt", (form.elements.photo_alt.value || form.elements.title.value || ""));
    var name = form.elements.editor_name;
    if (name) { data.append("editor_name", name.value); data.append("editor_email", form.elements.editor_email.value); }
    var request = new XMLHttpRequest();
    request.open("POST", "/photo");
    request.onload = function () {
      if (request.status === 200) {
        var at = body.selectionStart;
        replace(at, at, "\n\n" + request.responseText + "\n\n");
      } else {
        var box = document.createElement("div");
        box.innerHTML = request.responseText;
        var said = box.querySelector(".desk-problem");
        window.alert(said ? said.textContent : request.responseText);
      }
    };
    request.send(data);
  }

  body.addEventListener("dragover", function (event) {
    event.preventDefault();
    body.classList.add("desk-dropping");
  });
  body.addEventListener("dragleave", function () { body.classList.remove("desk-dropping"); });
  body.addEventListener("drop", function (event) {
    body.classList.remove("desk-dropping");
    var files = event.dataTransfer && event.dataTransfer.files;
    if (!files || !files.length) { return; }
    event.preventDefault();
    for (var i = 0; i < files.length; i++) { upload(files[i]); }
  });
})();
