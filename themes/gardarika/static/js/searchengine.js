/* Gardarika theme: the offline search over a town's index (search-index.js), shared by
   the search page (search.js) and the header's box (searchbox.js).
   Query words are folded (lower case, ё as е) and stemmed by GardarikaStemmer exactly as
   the build did for the index; the word being typed also matches as a prefix.
   Results: title matches first, then by how often the words occur. Plain ES5 for old
   browsers. SPDX-License-Identifier: AGPL-3.0-or-later */
window.GardarikaSearchEngine = function (index, stemmer) {
  var WORD = /[0-9A-Za-z\u00AA\u00B5\u00BA\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u0370-\u03FF\u0400-\u052F]+/g;
  var MAX_RESULTS = 50;
  var stemCache = {};

  function stemOf(word) {
    var folded = stemmer.normalize(word);
    if (!stemCache.hasOwnProperty(folded)) { stemCache[folded] = stemmer.stem(folded, index.lang); }
    return stemCache[folded];
  }

  function wordsOf(text) { return text.match(WORD) || []; }

  function startsWith(text, prefix) { return text.slice(0, prefix.length) === prefix; }

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;");
  }

  /* the stems a query word stands for: its own stem, and for the word being typed every
     indexed stem that starts with it */
  function stemsFor(word, typing) {
    var stem = stemOf(word), found = {}, key, prefix;
    found[stem] = true;
    if (typing) {
      prefix = stemmer.normalize(word);
      for (key in index.body) {
        if (index.body.hasOwnProperty(key) && startsWith(key, prefix)) { found[key] = true; }
      }
      for (key in index.title) {
        if (index.title.hasOwnProperty(key) && startsWith(key, prefix)) { found[key] = true; }
      }
    }
    return found;
  }

  /* score of every document for one query word: {doc: score} */
  function scoresFor(stems) {
    var scores = {}, stem, postings, i, n = index.docs.length, idf;
    for (stem in stems) {
      if (!stems.hasOwnProperty(stem)) { continue; }
      postings = index.body[stem] || [];
      idf = Math.log(1 + n / (1 + postings.length / 2));
      for (i = 0; i < postings.length; i += 2) {
        scores[postings[i]] = (scores[postings[i]] || 0) + (1 + Math.log(postings[i + 1])) * idf;
      }
      postings = index.title[stem] || [];
      for (i = 0; i < postings.length; i += 1) {
        scores[postings[i]] = (scores[postings[i]] || 0) + 1000;
      }
    }
    return scores;
  }

  function snippet(text, stems) {
    var words = [], match, i, start = -1, from, to, html = "", last, piece;
    WORD.lastIndex = 0;
    while ((match = WORD.exec(text)) !== null) { words.push([match.index, match[0]]); }
    function hit(word) { return stems.hasOwnProperty(stemOf(word)); }
    for (i = 0; i < words.length; i += 1) {
      if (hit(words[i][1])) { start = i; break; }
    }
    from = start < 0 ? 0 : Math.max(0, start - 12);
    to = Math.min(words.length, from + 32);
    if (!words.length) { return ""; }
    last = words[from][0];
    for (i = from; i < to; i += 1) {
      html += escapeHtml(text.slice(last, words[i][0]));
      piece = escapeHtml(words[i][1]);
      html += hit(words[i][1]) ? "<mark>" + piece + "</mark>" : piece;
      last = words[i][0] + words[i][1].length;
    }
    return (from > 0 ? "… " : "") + html + (to < words.length ? " …" : "");
  }

  function search(query, typing) {
    var words = wordsOf(query), all = {}, total = null, i, scores, doc, ranked = [], key;
    if (!words.length) { return { words: 0, results: [], stems: {} }; }
    for (i = 0; i < words.length; i += 1) {
      var stems = stemsFor(words[i], typing && i === words.length - 1);
      for (key in stems) { if (stems.hasOwnProperty(key)) { all[key] = true; } }
      scores = scoresFor(stems);
      if (total === null) {
        total = scores;
      } else {
        for (doc in total) {
          if (total.hasOwnProperty(doc)) {
            if (scores.hasOwnProperty(doc)) { total[doc] += scores[doc]; } else { delete total[doc]; }
          }
        }
      }
    }
    for (doc in total) { if (total.hasOwnProperty(doc)) { ranked.push([total[doc], +doc]); } }
    ranked.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    return { words: words.length, results: ranked.slice(0, MAX_RESULTS), stems: all };
  }

  return { index: index, search: search, snippet: snippet };
};
