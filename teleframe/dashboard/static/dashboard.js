// Today: refresh each session's frame badge every few seconds, without a reload.
(function () {
  "use strict";
  var table = document.querySelector("[data-badges-url]");
  if (!table) { return; }
  var url = table.getAttribute("data-badges-url");
  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : {}; })
      .then(function (badges) {
        Object.keys(badges).forEach(function (id) {
          var el = document.querySelector('[data-badge-for="' + id + '"]');
          if (!el || el.textContent === badges[id].label) { return; }
          el.textContent = badges[id].label;  // text, never HTML
          el.className = "badge badge-" + badges[id].key;
        });
      })
      .catch(function () {});
  }
  window.setInterval(refresh, 3000);
})();
