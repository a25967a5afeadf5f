// Adds the page's Python script right after this tag, on Pyodide, or on
// MicroPython when the page URL has ?interpreter=micropython.
//
//   <script src="/interpreter.js" data-python="/app.py" data-config-dir="/"></script>
//
// data-python is the Python file; data-config-dir is the folder that holds
// pyscript.toml (Pyodide) and pyscript-mpy.toml (MicroPython).
(function () {
  var tag = document.currentScript;
  var params = new URLSearchParams(location.search);
  var micropython = params.get("interpreter") === "micropython";
  var script = document.createElement("script");
  script.type = micropython ? "mpy" : "py";
  script.src = tag.dataset.python;
  script.setAttribute(
    "config",
    tag.dataset.configDir + (micropython ? "pyscript-mpy.toml" : "pyscript.toml")
  );
  tag.after(script);
})();
