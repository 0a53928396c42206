/* For tests/test_stemmer.py: node stem_with_node.js path/to/stemmer.js
   reads a JSON object {lang: [word, ...]} on stdin and prints the same object with each
   word replaced by GardarikaStemmer.stem(word, lang); under the key "normalize", by
   GardarikaStemmer.normalize(word).
   SPDX-License-Identifier: AGPL-3.0-or-later */
var stemmer = require(process.argv[2]);
var input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", function (chunk) { input += chunk; });
process.stdin.on("end", function () {
  var words = JSON.parse(input);
  var results = {};
  Object.keys(words).forEach(function (key) {
    results[key] = words[key].map(function (word) {
      return key === "normalize" ? stemmer.normalize(word) : stemmer.stem(word, key);
    });
  });
  process.stdout.write(JSON.stringify(results));
});
