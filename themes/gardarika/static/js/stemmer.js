/* Gardarika theme: the Snowball Russian and English ("Porter2") stemmers, written anew
   for the browser from the algorithm descriptions at https://snowballstem.org/ so that
   the in-browser search stems exactly as Python's snowballstemmer (3.x) did for the index.
   Plain ES5 for old browsers. tests/test_stemmer.py compares both on the official data.

   GardarikaStemmer.stem(word, "ru" | "en")  the stem (other languages: the word as is)
   GardarikaStemmer.normalize(word)           lower case, ё as е (what the search folds)

   The word is worked on as a string; "regions" are offsets from its start, which stay
   valid because every step only changes the end of the word.
   SPDX-License-Identifier: AGPL-3.0-or-later */
(function (root) {
  "use strict";

  function has(object, key) { return Object.prototype.hasOwnProperty.call(object, key); }

  /* Is ch (one character, maybe "" past either end of the word) one of the letters? */
  function isIn(letters, ch) { return ch !== "" && letters.indexOf(ch) >= 0; }

  function endsWith(s, end) {
    return s.length >= end.length && s.slice(s.length - end.length) === end;
  }

  function startsWith(s, start) { return s.slice(0, start.length) === start; }

  /* A suffix table from "code suffix suffix;code suffix ...": the code of each group is
     a tag or a replacement, whatever the step using the table makes of it. */
  function table(spec) {
    var t = { codes: {}, longest: 0 };
    var groups = spec.split(";");
    var i, j, words;
    for (i = 0; i < groups.length; i++) {
      words = groups[i].split(" ");
      for (j = 1; j < words.length; j++) {
        t.codes[words[j]] = words[0];
        if (words[j].length > t.longest) { t.longest = words[j].length; }
      }
    }
    return t;
  }

  /* The longest suffix of the table that s ends with and that starts at or after
     offset from; "" if none. Like Snowball's "among", a longer suffix that fits wins even
     if its condition then fails: the shorter ones are not tried. */
  function find(s, from, t) {
    var n = Math.min(t.longest, s.length - from);
    for (; n > 0; n--) {
      if (has(t.codes, s.slice(s.length - n))) { return s.slice(s.length - n); }
    }
    return "";
  }

  /* Offset just after the first non-vowel that follows a vowel at or after i; s.length if
     there is none (how both languages mark R1 and R2). */
  function afterVowelRun(s, i, vowels) {
    while (i < s.length && !isIn(vowels, s.charAt(i))) { i++; }
    while (i < s.length && isIn(vowels, s.charAt(i))) { i++; }
    return i < s.length ? i + 1 : s.length;
  }

  /* ---------------------------------------------------------------- Russian */

  var RU_VOWELS = "аеиоуыэюя";
  /* Tag "a": the ending counts only after а or я, which stays. */
  var RU_GERUND = table("a в вши вшись;- ив ивши ившись ыв ывши ывшись");
  var RU_REFLEXIVE = table("- ся сь");
  var RU_ADJECTIVE = table("- ее ие ое ые ими ыми ей ий ой ый ем им ом ым его ого ему ому " +
    "их ых ею ою ую юю ая яя");
  var RU_PARTICIPLE = table("a ем нн вш ющ щ;- ивш ывш ующ");
  var RU_VERB = table("a ла на ете йте ли й л ем н ло но ет ют ны ть ешь нно;" +
    "- ила ыла ена ейте уйте ите или ыли ей уй ил ыл им ым ен ило ыло ено ует уют ит ыт ят " +
    "ены ить ыть ишь ую ю");
  var RU_NOUN = table("- а ев ов ие ье е иями ями ами еи ии и ией ей ой ий й иям ям ием ем " +
    "ам ом о у иях ях ах ы ь ию ью ю ия ья я");
  var RU_DERIVATIONAL = table("- ост ость");
  var RU_TIDY = table("superlative ейш ейше;n н;soft ь");

  /* s without the longest ending of t inside RV (from offset rv on); null if none fits. */
  function ruRemove(s, rv, t) {
    var ending = find(s, rv, t);
    var start = s.length - ending.length;
    if (!ending) { return null; }
    if (t.codes[ending] === "a" && !(start > rv && isIn("ая", s.charAt(start - 1)))) {
      return null;
    }
    return s.slice(0, start);
  }

  function stemRussian(word) {
    var s = word.replace(/ё/g, "е");  /* the current algorithm reads ё as е */
    var rest, ending, firstVowel;

    /* Regions: RV after the first vowel; R2 = the R1 of R1. */
    firstVowel = 0;
    while (firstVowel < s.length && !isIn(RU_VOWELS, s.charAt(firstVowel))) { firstVowel++; }
    var rv = Math.min(firstVowel + 1, s.length);
    var r2 = afterVowelRun(s, afterVowelRun(s, 0, RU_VOWELS), RU_VOWELS);

    /* Step 1: a perfective gerund; otherwise a reflexive ending (if any), then an
       adjectival ending (adjective, maybe after a participle), else a verb, else a noun
       ending. */
    rest = ruRemove(s, rv, RU_GERUND);
    if (rest === null) {
      rest = ruRemove(s, rv, RU_REFLEXIVE);
      if (rest !== null) { s = rest; }
      rest = ruRemove(s, rv, RU_ADJECTIVE);
      if (rest !== null) {
        ending = ruRemove(rest, rv, RU_PARTICIPLE);
        if (ending !== null) { rest = ending; }
      } else {
        rest = ruRemove(s, rv, RU_VERB);
        if (rest === null) { rest = ruRemove(s, rv, RU_NOUN); }
      }
    }
    if (rest !== null) { s = rest; }

    /* Step 2: a final и. */
    if (endsWith(s, "и") && s.length - 1 >= rv) { s = s.slice(0, -1); }

    /* Step 3: a derivational ост / ость inside R2. */
    ending = find(s, rv, RU_DERIVATIONAL);
    if (ending && s.length - ending.length >= r2) { s = s.slice(0, -ending.length); }

    /* Step 4 (tidy up): drop a superlative ейш(е) and then undouble нн; or undouble a
       final нн; or drop a final soft sign. All inside RV. */
    ending = find(s, rv, RU_TIDY);
    switch (RU_TIDY.codes[ending]) {
      case "superlative":
        s = s.slice(0, -ending.length);
        if (endsWith(s, "нн") && s.length - 2 >= rv) { s = s.slice(0, -1); }
        break;
      case "n":
        if (endsWith(s, "нн") && s.length - 2 >= rv) { s = s.slice(0, -1); }
        break;
      case "soft":
        s = s.slice(0, -1);
        break;
    }
    return s;
  }

  /* ---------------------------------------------------------------- English */

  var EN_VOWELS = "aeiouy";            /* "Y" (a consonant y) is not a vowel */
  var EN_NOT_SHORT = "aeiouywxY";      /* letters that cannot end a short syllable */
  var EN_LI_ENDING = "cdeghkmnrt";     /* letters before which "li" is a suffix */
  /* Whole words with a stem of their own (the word itself if not given). */
  var EN_EXCEPTIONS = {
    skis: "ski", skies: "sky", idly: "idl", gently: "gentl", ugly: "ugli", early: "earli",
    only: "onli", singly: "singl", sky: "sky", news: "news", howe: "howe", atlas: "atlas",
    cosmos: "cosmos", bias: "bias", andes: "andes"
  };
  /* Beginnings after which R1 starts, instead of after the first vowel run. */
  var EN_R1_PREFIXES = ["arsen", "commun", "emerg", "gener", "inter", "later", "organ",
    "past", "univers"];
  var EN_STEP1B = table("ee eed eedly;del ed edly ingly;ing ing");
  var EN_STEP2 = table("tion tional;ence enci;ance anci;able abli;ent entli;" +
    "ize izer ization;ate ational ation ator;al alism aliti alli;ful fulness fulli;" +
    "ous ousli ousness;ive iveness iviti;ble bli biliti;og ogist;less lessli;" +
    "LOG ogi;LI li");
  var EN_STEP3 = table("tion tional;ate ational;al alize;ic icate iciti ical;- ful ness;" +
    "R2 ative");
  var EN_STEP4 = table("- al ance ence er ic able ible ant ement ment ent ism ate iti ous " +
    "ive ize;ST ion");

  /* Does s end in a short syllable: non-vowel, vowel, non-vowel other than w, x, Y; or
     vowel, non-vowel at the very start; or (special case) in "past"? */
  function shortSyllable(s) {
    var n = s.length;
    var last = s.charAt(n - 1);
    var vowel = s.charAt(n - 2);
    if (n >= 3 && !isIn(EN_NOT_SHORT, last) && isIn(EN_VOWELS, vowel) &&
        !isIn(EN_VOWELS, s.charAt(n - 3))) { return true; }
    if (n === 2 && !isIn(EN_VOWELS, last) && isIn(EN_VOWELS, vowel)) { return true; }
    return endsWith(s, "past");
  }

  function hasVowel(s) {
    for (var i = 0; i < s.length; i++) { if (isIn(EN_VOWELS, s.charAt(i))) { return true; } }
    return false;
  }

  function stemEnglish(word) {
    var s = word;
    var yFound = false;
    var i, r1, r2, ending, start, code, stem;

    if (has(EN_EXCEPTIONS, s)) { return EN_EXCEPTIONS[s]; }
    if (s.length < 3) { return s; }

    /* Prelude: drop a leading apostrophe; a y at the start or after a vowel is a
       consonant, marked Y. */
    if (s.charAt(0) === "'") { s = s.slice(1); }
    for (i = 0; i < s.length; i++) {
      if (s.charAt(i) === "y" && (i === 0 || isIn(EN_VOWELS, s.charAt(i - 1)))) {
        s = s.slice(0, i) + "Y" + s.slice(i + 1);
        yFound = true;
      }
    }

    /* Regions R1 and R2. */
    r1 = -1;
    for (i = 0; i < EN_R1_PREFIXES.length; i++) {
      if (startsWith(s, EN_R1_PREFIXES[i])) { r1 = EN_R1_PREFIXES[i].length; }
    }
    if (r1 < 0) { r1 = afterVowelRun(s, 0, EN_VOWELS); }
    r2 = afterVowelRun(s, r1, EN_VOWELS);

    /* Step 0: the longest of the possessive endings ' 's 's'. */
    if (endsWith(s, "'s'")) { s = s.slice(0, -3); }
    else if (endsWith(s, "'s")) { s = s.slice(0, -2); }
    else if (endsWith(s, "'")) { s = s.slice(0, -1); }

    /* Step 1a: sses -> ss; ied, ies -> i after two or more letters, else ie; ss and us
       stay; a final s goes if a vowel comes before the letter preceding it. */
    if (endsWith(s, "sses")) {
      s = s.slice(0, -2);
    } else if (endsWith(s, "ied") || endsWith(s, "ies")) {
      s = s.slice(0, -3) + (s.length > 4 ? "i" : "ie");
    } else if (endsWith(s, "ss") || endsWith(s, "us")) {
      /* unchanged */
    } else if (endsWith(s, "s") && hasVowel(s.slice(0, -2))) {
      s = s.slice(0, -1);
    }

    /* Step 1b: eed, eedly -> ee inside R1 (but succeed, proceed, exceed stay);
       ed, edly, ing, ingly go if a vowel precedes them, then: at bl iz get an e, a
       double letter is undoubled, and a short word gets an e. Special: dying -> die,
       and evening, canning, inning, earring, herring, outing stay. */
    ending = find(s, 0, EN_STEP1B);
    start = s.length - ending.length;
    stem = s.slice(0, start);
    code = EN_STEP1B.codes[ending];
    if (code === "ee") {
      if (start >= r1 && stem !== "succ" && stem !== "proc" && stem !== "exc") {
        s = stem + "ee";
      }
    } else if (code === "ing" && (stem === "even" || stem === "cann" || stem === "inn" ||
        stem === "earr" || stem === "herr" || stem === "out")) {
      /* unchanged */
    } else if (code === "ing" && stem.length === 2 && stem.charAt(1) === "y" &&
        !isIn(EN_VOWELS, stem.charAt(0))) {
      s = stem.charAt(0) + "ie";
    } else if (code && hasVowel(stem)) {
      s = stem;
      if (endsWith(s, "at") || endsWith(s, "bl") || endsWith(s, "iz")) {
        s += "e";
      } else if (/(bb|dd|ff|gg|mm|nn|pp|rr|tt)$/.test(s)) {
        if (!(s.length === 3 && isIn("aeo", s.charAt(0)))) { s = s.slice(0, -1); }
      } else if (s.length === r1 && shortSyllable(s)) {
        s += "e";
      }
    }

    /* Step 1c: a final y or Y after a non-vowel that is not the first letter -> i. */
    i = s.length - 1;
    if ((s.charAt(i) === "y" || s.charAt(i) === "Y") && i > 1 &&
        !isIn(EN_VOWELS, s.charAt(i - 1))) {
      s = s.slice(0, i) + "i";
    }

    /* Step 2: suffixes inside R1 -> their code; ogi -> og after l; li goes after one of
       c d e g h k m n r t. */
    ending = find(s, 0, EN_STEP2);
    start = s.length - ending.length;
    stem = s.slice(0, start);
    if (ending && start >= r1) {
      code = EN_STEP2.codes[ending];
      if (code === "LOG") {
        if (endsWith(stem, "l")) { s = stem + "og"; }
      } else if (code === "LI") {
        if (isIn(EN_LI_ENDING, stem.charAt(start - 1))) { s = stem; }
      } else {
        s = stem + code;
      }
    }

    /* Step 3: suffixes inside R1 -> their code, or deleted ("-"); ative only in R2. */
    ending = find(s, 0, EN_STEP3);
    start = s.length - ending.length;
    if (ending && start >= r1) {
      code = EN_STEP3.codes[ending];
      if (code === "-") { s = s.slice(0, start); }
      else if (code === "R2") { if (start >= r2) { s = s.slice(0, start); } }
      else { s = s.slice(0, start) + code; }
    }

    /* Step 4: suffixes inside R2 go; ion only after s or t. */
    ending = find(s, 0, EN_STEP4);
    start = s.length - ending.length;
    if (ending && start >= r2 &&
        (EN_STEP4.codes[ending] === "-" || isIn("st", s.charAt(start - 1)))) {
      s = s.slice(0, start);
    }

    /* Step 5: a final e goes inside R2, or inside R1 unless a short syllable precedes it;
       a final l goes inside R2 after another l. */
    start = s.length - 1;
    if (endsWith(s, "e")) {
      if (start >= r2 || (start >= r1 && !shortSyllable(s.slice(0, start)))) {
        s = s.slice(0, start);
      }
    } else if (endsWith(s, "l") && start >= r2 && s.charAt(start - 1) === "l") {
      s = s.slice(0, start);
    }

    /* Postlude: Y back to y. */
    return yFound ? s.replace(/Y/g, "y") : s;
  }

  /* Python counts a character outside the BMP as one, JavaScript as two (a surrogate
     pair), and the English steps look at word lengths: stand each such character in by
     one non-vowel placeholder (the noncharacter U+FDD0) and put them back afterwards. */
  var ASTRAL = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;
  function stemEnglishAstral(word) {
    var found = word.match(ASTRAL);
    var k = 0;
    if (!found) { return stemEnglish(word); }
    return stemEnglish(word.replace(ASTRAL, "\uFDD0")).replace(/\uFDD0/g, function () {
      return found[k++];
    });
  }

  /* ---------------------------------------------------------------- API */

  var api = {
    stem: function (word, lang) {
      if (lang === "ru") { return stemRussian(word); }
      if (lang === "en") { return stemEnglishAstral(word); }
      return word;
    },
    normalize: function (word) { return String(word).toLowerCase().replace(/ё/g, "е"); }
  };

  if (typeof module !== "undefined" && module.exports) { module.exports = api; }
  else { root.GardarikaStemmer = api; }
}(typeof window !== "undefined" ? window : this));
