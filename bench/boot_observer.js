// Init script for the demo-boot measurement. bench/run.py installs it with
// Playwright's add_init_script, so it runs in every load of the demo before
// any of the page's own scripts.
//
// It records in `window.psBootVisible` the time, in milliseconds since
// navigation start, at which #greeting first shows the name that
// localStorage holds, and in `window.psBootPainted` the next animation frame
// after that.
//
// When sessionStorage holds "bench-boot-timing" = "1", it also inserts
// /bench/boot_timing.py right before the demo's own Python script, on the same
// interpreter, so that the session's start-up is timed from inside the page.
(function () {
  "use strict";

  function storedName() {
    try {
      var text = localStorage.getItem("__ps:name");
      return text === null ? null : String(JSON.parse(text)[2]);
    } catch (error) {
      return null;
    }
  }

  var expected = storedName();
  var instrument = sessionStorage.getItem("bench-boot-timing") === "1";
  var timerInserted = false;
  window.psBootVisible = null;
  window.psBootPainted = null;
  window.psBootExpected = expected;

  function insertTimer() {
    var demo = document.querySelector('script[src="./demo.py"]');
    if (demo === null) return;
    var timer = document.createElement("script");
    timer.type = demo.type;
    timer.src = "/bench/boot_timing.py";
    demo.before(timer);
    timerInserted = true;
  }

  var observer = new MutationObserver(function () {
    if (instrument && !timerInserted) insertTimer();
    if (expected === null || window.psBootVisible !== null) return;
    var greeting = document.getElementById("greeting");
    if (greeting !== null && greeting.textContent === expected) {
      window.psBootVisible = performance.now();
      requestAnimationFrame(function () {
        window.psBootPainted = performance.now();
      });
    }
    if (window.psBootVisible !== null && (!instrument || timerInserted)) {
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true, characterData: true });
})();
