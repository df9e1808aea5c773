// Video archive: progressive enhancements (the pages work without this file).
(function () {
  "use strict";

  function fmt(t) {
    t = Math.max(0, Math.round(t));
    var h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), s = t % 60;
    var mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
  }

  // Search mode buttons submit at once when there is a query.
  var form = document.getElementById("search-form");
  if (form) {
    form.querySelectorAll('input[name="mode"]').forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (form.querySelector('input[name="q"]').value.trim()) form.submit();
      });
    });
  }

  var player = document.getElementById("player");
  if (!player) return;

  // Scene strip: jump to a cut; highlight the scene being played.
  var scenes = Array.prototype.slice.call(document.querySelectorAll(".scene"));
  scenes.forEach(function (button) {
    button.addEventListener("click", function () {
      player.currentTime = parseFloat(button.dataset.time) || 0;
      player.play().catch(function () {});
    });
  });
  player.addEventListener("timeupdate", function () {
    var current = null;
    scenes.forEach(function (b) { if (parseFloat(b.dataset.time) <= player.currentTime + 0.05) current = b; });
    scenes.forEach(function (b) { b.classList.toggle("current", b === current); });
  });

  // Sprite scrubbing: the contact sheet has 4 columns of evenly spaced frames.
  var scrubber = document.getElementById("scrubber");
  if (!scrubber) return;
  var frame = document.getElementById("scrubframe");
  var line = document.getElementById("scrubline");
  var label = document.getElementById("scrubtime");
  var duration = parseFloat(scrubber.dataset.duration) || 0;
  var aspect = parseFloat(scrubber.dataset.aspect) || 0.5625;
  var sprite = new Image();
  var columns = 4, rows = 1, count = 1, tileW = 0, tileH = 0;
  sprite.onload = function () {
    tileW = sprite.naturalWidth / columns;
    tileH = tileW * aspect;
    rows = Math.max(1, Math.round(sprite.naturalHeight / tileH));
    tileH = sprite.naturalHeight / rows;
    count = rows * columns;
    var h = scrubber.clientHeight, scale = h / tileH;
    frame.style.width = (tileW * scale) + "px";
    frame.style.backgroundImage = "url('" + scrubber.dataset.sprite + "')";
    frame.style.backgroundSize = (sprite.naturalWidth * scale) + "px " + (sprite.naturalHeight * scale) + "px";
    show(0);
  };
  sprite.src = scrubber.dataset.sprite;

  function show(fraction) {
    if (!tileW) return;
    var i = Math.min(count - 1, Math.floor(fraction * count));
    var scale = scrubber.clientHeight / tileH;
    frame.style.backgroundPosition = (-(i % columns) * tileW * scale) + "px " + (-Math.floor(i / columns) * tileH * scale) + "px";
    line.style.left = (fraction * 100) + "%";
    label.textContent = fmt(fraction * duration);
  }
  function fractionOf(event) {
    var box = scrubber.getBoundingClientRect();
    return Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
  }
  scrubber.addEventListener("mousemove", function (e) { show(fractionOf(e)); });
  scrubber.addEventListener("click", function (e) {
    player.currentTime = fractionOf(e) * duration;
    player.play().catch(function () {});
  });
})();
