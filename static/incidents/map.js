// The map of one incident's coordinates (docs/incidents.md "Map"). Reads everything from
// the element's data attributes (no inline script); without JavaScript, or when Leaflet
// or the tiles cannot load, the coordinates stay on the page as text.
(function () {
  "use strict";
  function start() {
    var box = document.getElementById("incident-map");
    if (!box || box.dataset.drawn || typeof window.L === "undefined") { return; }
    box.dataset.drawn = "1";
    var lat = parseFloat(box.dataset.lat);
    var lon = parseFloat(box.dataset.lon);
    if (!isFinite(lat) || !isFinite(lon)) { return; }
    box.hidden = false;
    var map = window.L.map(box, { scrollWheelZoom: false }).setView([lat, lon], 15);
    if (box.dataset.tiles) {
      window.L.tileLayer(box.dataset.tiles, {
        maxZoom: 19,
        attribution: box.dataset.attribution || ""
      }).addTo(map);
    } else {
      box.classList.add("no-tiles");
    }
    window.L.marker([lat, lon], { title: box.dataset.label || "" }).addTo(map);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  // htmx swaps the incident section after each action: draw the map again
  document.addEventListener("htmx:afterSettle", start);
})();
