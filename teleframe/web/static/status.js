// The status page without a reload every second: asks whether the verdict is in, waiting a
// little longer each time, and reloads the page once when it is. Without scripts a slow
// meta refresh does the same.
(function () {
  "use strict";
  var marker = document.querySelector("[data-verdict-url]");
  if (!marker) return;
  var url = marker.getAttribute("data-verdict-url");
  var delay = 1000;
  function again() {
    delay = Math.min(delay * 1.5, 15000);
    window.setTimeout(ask, delay);
  }
  function ask() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state && state.pending === false) window.location.reload();
        else again();
      })
      .catch(again);
  }
  window.setTimeout(ask, delay);
})();
