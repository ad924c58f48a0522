// A facilitator's timer for the agenda on the meeting page. Progressive enhancement only:
// without JavaScript the agenda still shows its clock times.
(function () {
  "use strict";

  function format(seconds) {
    var sign = seconds < 0 ? "-" : "";
    var s = Math.abs(seconds);
    var m = Math.floor(s / 60);
    var r = s % 60;
    return sign + m + ":" + (r < 10 ? "0" : "") + r;
  }

  function setUp(list) {
    var controls = list.parentNode.querySelector("[data-timer-controls]");
    if (!controls) { return; }
    var display = controls.querySelector("[data-timer-display]");
    var items = Array.prototype.slice.call(list.querySelectorAll("li[data-minutes]"));
    var index = 0;
    var remaining = 0;
    var ticker = null;

    function render() {
      items.forEach(function (item, i) {
        item.classList.toggle("current", i === index);
        item.classList.toggle("done", i < index);
      });
      display.textContent = format(remaining);
      display.classList.toggle("overtime", remaining < 0);
    }
    function load(i) {
      index = Math.min(i, items.length - 1);
      remaining = parseInt(items[index].getAttribute("data-minutes"), 10) * 60;
      render();
    }
    function stop() {
      if (ticker) { clearInterval(ticker); ticker = null; }
    }
    var actions = {
      start: function () {
        if (ticker) { return; }
        ticker = setInterval(function () { remaining -= 1; render(); }, 1000);
      },
      pause: stop,
      next: function () {
        if (index < items.length - 1) { load(index + 1); } else { stop(); index = items.length; render(); }
      },
      reset: function () { stop(); load(0); }
    };
    controls.addEventListener("click", function (event) {
      var button = event.target.closest("[data-timer-action]");
      if (button && actions[button.getAttribute("data-timer-action")]) {
        actions[button.getAttribute("data-timer-action")]();
      }
    });
    controls.hidden = false;
    load(0);
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-agenda-timer]"), setUp);
  });
})();
