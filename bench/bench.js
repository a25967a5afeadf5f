// The benchmark comparisons, run in the page by bench/run.py through
// `window.psBench`. Each comparison times its variants in turn within one page
// load, rotating their order every round, so that a ratio between variants
// stays valid on a busy machine. Python variants call `window.psBenchCall`,
// which bench/bench.py provides once the session has started.
(function () {
  "use strict";

  var PREFIX = "__ps:";
  var SMALL_DICT = { sort: "price", desc: false, page: 3 };

  // The values of the storage-size comparison: one of each common kind.
  var TYPICAL = {
    name: "Ada Lovelace",
    theme: "dark",
    dark_mode: true,
    quantity: 3,
    price: 19.99,
    cart: ["apple", "pear", "plum"],
    filters: { sort: "price", desc: false, page: 3 },
  };

  function now() {
    return performance.now();
  }

  function pause() {
    return new Promise(function (resolve) {
      setTimeout(resolve, 0);
    });
  }

  function median(values) {
    var sorted = values.slice().sort(function (a, b) {
      return a - b;
    });
    var middle = sorted.length >> 1;
    return sorted.length % 2
      ? sorted[middle]
      : (sorted[middle - 1] + sorted[middle]) / 2;
  }

  function py(name, args) {
    var reply = window.psBenchCall(name, JSON.stringify(args || {}));
    return JSON.parse(String(reply));
  }

  // The number of entries the last fillStorage() wrote, while nothing else
  // has cleared the storage since; null otherwise.
  var filledWith = null;

  function clearStorage() {
    localStorage.clear();
    filledWith = null;
  }

  // Fill localStorage with `count` persistent entries of small values, in the
  // session's stored format, after removing everything else.
  function fillStorage(count) {
    localStorage.clear();
    filledWith = count;
    for (var i = 0; i < count; i++) {
      localStorage.setItem(PREFIX + "key" + i, JSON.stringify([1, "p", smallValue(i)]));
    }
  }

  // An int, a short string or a boolean, in turn.
  function smallValue(i) {
    if (i % 3 === 0) return i;
    if (i % 3 === 1) return "value " + i;
    return i % 2 === 0;
  }

  // The JavaScript reference for a restore: every entry read with plain
  // localStorage calls and parsed with JSON.parse.
  function jsRestore(times) {
    var restored = null;
    for (var t = 0; t < times; t++) {
      restored = {};
      var storage = localStorage;
      var length = storage.length;
      for (var i = 0; i < length; i++) {
        var name = storage.key(i);
        if (name === null || name.lastIndexOf(PREFIX, 0) !== 0) continue;
        var text = storage.getItem(name);
        if (text !== null) restored[name.slice(PREFIX.length)] = JSON.parse(text)[2];
      }
    }
    return restored;
  }

  function timeOnce(variant, count) {
    var started = now();
    variant.run(count);
    return now() - started;
  }

  // The fastest of three timings, because a busy machine slows some of them;
  // a timing that already fills the window is not repeated.
  function calibrationTime(variant, count, windowMs) {
    var fastest = timeOnce(variant, count);
    for (var i = 0; i < 2 && fastest < windowMs; i++) {
      fastest = Math.min(fastest, timeOnce(variant, count));
    }
    return fastest;
  }

  // Time every variant `rounds` times and return, per variant, the median
  // milliseconds per operation. `run(count)` performs `count` operations;
  // `count` is calibrated once so that one timing lasts about `windowMs`.
  // The order of the variants rotates every round, unless `order(round)`
  // gives the indexes to run in that round.
  async function measure(variants, rounds, windowMs, order) {
    for (var v = 0; v < variants.length; v++) {
      var variant = variants[v];
      var limit = variant.maxCount || 1000000;
      if (variant.setup) await variant.setup();
      var count = 1;
      var elapsed = calibrationTime(variant, count, windowMs);
      while (elapsed < windowMs / 8 && count < limit) {
        count = Math.min(limit, count * 8);
        elapsed = calibrationTime(variant, count, windowMs);
      }
      var scaled = Math.round((count * windowMs) / Math.max(elapsed, 0.05));
      variant.count = Math.max(1, Math.min(limit, scaled));
      await pause();
    }

    var samples = variants.map(function () {
      return [];
    });
    for (var round = 0; round < rounds; round++) {
      for (var k = 0; k < variants.length; k++) {
        var index = order ? order(round)[k] : (k + round) % variants.length;
        var current = variants[index];
        if (current.setup) await current.setup();
        samples[index].push(timeOnce(current, current.count) / current.count);
        await pause();
      }
    }

    var result = {};
    variants.forEach(function (variant, i) {
      result[variant.name] = {
        ms: median(samples[i]),
        samples: samples[i],
        count: variant.count,
      };
    });
    return result;
  }

  // ------------------------------------------------------------ comparisons

  async function restore(options) {
    fillStorage(options.keys);
    var variants = [
      {
        name: "session",
        maxCount: 200,
        run: function (count) {
          var restored = py("restore", { count: count });
          if (restored !== options.keys) {
            throw new Error("expected " + options.keys + " restored keys, got " + restored);
          }
        },
      },
      {
        name: "javascript",
        maxCount: 200000,
        run: function (count) {
          jsRestore(count);
        },
      },
    ];
    var result = await measure(variants, options.rounds, options.windowMs);
    if (options.splitRounds) {
      // The median of each step over several restores.
      var splits = [];
      for (var round = 0; round < options.splitRounds; round++) {
        splits.push(py("restore_split", {}));
        await pause();
      }
      result.split = {};
      Object.keys(splits[0]).forEach(function (step) {
        result.split[step] = median(
          splits.map(function (split) {
            return split[step];
          })
        );
      });
    }
    return result;
  }

  async function get(options) {
    clearStorage();
    py("prepare_reads", {});
    store.set("read_scalar", 42);
    store.set("read_dict", SMALL_DICT);
    var key = options.shape === "dict" ? "read_dict" : "read_scalar";
    return measure(
      [
        {
          name: "session",
          run: function (count) {
            py("session_get", { key: key, count: count });
          },
        },
        {
          name: "store2",
          run: function (count) {
            for (var i = 0; i < count; i++) store.get(key);
          },
        },
        {
          name: "plain python",
          run: function (count) {
            py("plain_get", { name: key, count: count });
          },
        },
        {
          name: "python call floor",
          run: function (count) {
            py("call_floor", { key: key, count: count });
          },
        },
      ],
      options.rounds,
      options.windowMs
    );
  }

  async function set(options) {
    clearStorage();
    var dict = options.shape === "dict";
    var counter = 0;
    var stored = { checked: 0, onStorage: 0 };

    function checkStored(last) {
      var text = localStorage.getItem(PREFIX + "write");
      stored.checked += 1;
      if (text !== null && JSON.stringify(JSON.parse(text)[2]) === JSON.stringify(last)) {
        stored.onStorage += 1;
      }
    }

    var result = await measure(
      [
        {
          name: "session",
          run: function (count) {
            checkStored(py("session_set", { key: "write", shape: options.shape, count: count }));
          },
        },
        {
          name: "store2",
          run: function (count) {
            for (var i = 0; i < count; i++) {
              counter += 1;
              store.set("write", dict ? { sort: "price", desc: false, page: counter } : counter);
            }
          },
        },
        {
          name: "plain python",
          run: function (count) {
            py("plain_set", { name: "plain_write", shape: options.shape, count: count });
          },
        },
        {
          name: "javascript setItem",
          run: function (count) {
            for (var i = 0; i < count; i++) {
              counter += 1;
              localStorage.setItem("plain_write", String(counter));
            }
          },
        },
      ],
      options.rounds,
      options.windowMs
    );
    result.stored = stored;
    return result;
  }

  // One set among `keys` stored keys, for each count in `options.keys`: the
  // session's set_persistent, and store2's set as a reference for how the
  // browser's own setItem scales. The storage is refilled, and the session
  // restored, only when the count changes from one variant to the next. The
  // timed sets add one entry of their own.
  async function scaling(options) {
    var sessionFor = null;
    var variants = [];
    options.keys.forEach(function (keys) {
      async function fill() {
        if (filledWith === keys) return;
        fillStorage(keys);
        sessionFor = null;
        await pause();
      }
      async function restore() {
        await fill();
        if (sessionFor === keys) return;
        var restored = py("scaling_setup", {});
        if (restored !== keys) {
          throw new Error("expected " + keys + " restored keys, got " + restored);
        }
        sessionFor = keys;
        await pause();
      }
      variants.push({
        name: "session " + keys,
        maxCount: 100000,
        setup: restore,
        run: function (count) {
          py("scaling_set", { count: count });
        },
      });
      variants.push({
        name: "session in memory " + keys,
        maxCount: 100000,
        setup: restore,
        run: function (count) {
          py("scaling_set", { count: count, memory: true });
        },
      });
      var counter = 0;
      variants.push({
        name: "store2 " + keys,
        maxCount: 100000,
        setup: fill,
        run: function (count) {
          for (var i = 0; i < count; i++) {
            counter += 1;
            store.set("scaling_probe", counter);
          }
        },
      });
    });
    // Rounds alternate between forward and backward order, so that each
    // round starts with the count the previous one ended with and the
    // storage is filled once per round.
    var forward = variants.map(function (variant, index) {
      return index;
    });
    var backward = forward.slice().reverse();
    var result = await measure(variants, options.rounds, options.windowMs, function (round) {
      return round % 2 ? backward : forward;
    });

    // The time of one full garbage collection while a session of each size
    // is alive, since that cost grows with the number of live objects.
    result.collection = {};
    result.lookup = {};
    for (var k = 0; k < options.keys.length; k++) {
      var keys = options.keys[k];
      fillStorage(keys);
      py("scaling_setup", {});
      var times = [];
      var lookups = [];
      for (var i = 0; i < 5; i++) {
        times.push(py("collection_time", {}));
        lookups.push(py("dict_lookup", { keys: keys }));
      }
      result.collection[keys] = median(times);
      result.lookup[keys] = median(lookups);
    }
    return result;
  }

  // Wait for `action()` to change `element`'s text to `text`. Return the time
  // from the call to the first mutation record showing it, the records seen
  // under `root`, and whether the next animation frame already saw the text.
  async function timeUpdate(action, root, element, text) {
    var records = 0;
    var seenAt = null;
    var seen;
    var seenPromise = new Promise(function (resolve) {
      seen = resolve;
    });
    var observer = new MutationObserver(function (list) {
      records += list.length;
      if (seenAt === null && element.textContent === text) {
        seenAt = now();
        seen();
      }
    });
    observer.observe(root, { childList: true, subtree: true, characterData: true, attributes: true });
    var textAtFrame = null;
    var framePromise = new Promise(function (resolve) {
      requestAnimationFrame(function () {
        textAtFrame = element.textContent;
        resolve();
      });
    });
    var started = now();
    action();
    var timeout = new Promise(function (resolve) {
      setTimeout(resolve, 2000);
    });
    await Promise.race([seenPromise, timeout]);
    await framePromise;
    await pause();
    observer.disconnect();
    return {
      ms: seenAt === null ? null : seenAt - started,
      records: records,
      inFrame: textAtFrame === text,
    };
  }

  function makeSpans(count, bound) {
    var container = document.createElement("div");
    for (var i = 0; i < count; i++) {
      var span = document.createElement("span");
      if (bound) span.setAttribute("data-session", "bound" + i);
      else span.textContent = "value " + i;
      container.appendChild(span);
    }
    return container;
  }

  async function bindings(options) {
    var count = options.elements;
    clearStorage();
    py("bound_values", { count: count });
    var root = document.getElementById("bound");
    var container = makeSpans(count, true);

    // Bind the elements `rounds` times: each round adds the container and
    // waits for the session's MutationObserver callback, which binds every
    // marked element and runs before this timer fires. Removing the container
    // releases the bindings again.
    var bindSamples = [];
    for (var bindRound = 0; bindRound < options.rounds; bindRound++) {
      if (container.parentNode !== null) {
        container.remove();
        await pause();
      }
      var started = now();
      root.appendChild(container);
      await pause();
      bindSamples.push(now() - started);
    }
    var spans = container.children;
    var showingValue = 0;
    for (var i = 0; i < count; i++) {
      if (spans[i].textContent === "value " + i) showingValue += 1;
    }

    var reference = document.getElementById("reference");
    var referenceContainer = makeSpans(count, false);
    reference.appendChild(referenceContainer);
    var referenceSpans = referenceContainer.children;

    var sessionRuns = [];
    var referenceRuns = [];
    var before = py("binding_stats", {});
    for (var round = 0; round < options.rounds; round++) {
      var index = (round * 389 + 17) % count;
      var key = "bound" + index;
      var text = "round " + round;
      var runs = [
        function () {
          return timeUpdate(
            function () {
              py("set_one", { key: key, value: text });
            },
            root,
            spans[index],
            text
          ).then(function (run) {
            sessionRuns.push(run);
          });
        },
        function () {
          return timeUpdate(
            function () {
              store.set(key, text);
              referenceSpans[index].textContent = text;
            },
            reference,
            referenceSpans[index],
            text
          ).then(function (run) {
            referenceRuns.push(run);
          });
        },
      ];
      if (round % 2) runs.reverse();
      await runs[0]();
      await runs[1]();
    }
    var after = py("binding_stats", {});

    function summary(runs) {
      return {
        ms: median(runs.map(function (run) {
          return run.ms === null ? Infinity : run.ms;
        })),
        samples: runs.map(function (run) {
          return run.ms;
        }),
        records: runs.map(function (run) {
          return run.records;
        }),
        inFrame: runs.every(function (run) {
          return run.inFrame;
        }),
      };
    }

    return {
      elements: count,
      bindMs: median(bindSamples),
      bindSamples: bindSamples,
      showingValue: showingValue,
      bindings: after.bindings,
      domWritesPerSet: (after.dom_writes - before.dom_writes) / options.rounds,
      session: summary(sessionRuns),
      javascript: summary(referenceRuns),
    };
  }

  // The stored size of the typical values, against what the Meteor package
  // would store for them: amplify.store writes each key under "__amplify__" +
  // key as {"data": <EJSON JSON value>, "expires": null}, and every set also
  // rewrites the key lists __PSKEYS__ and __PSAKEYS__.
  function amplifyEntry(key, value) {
    var name = "__amplify__" + key;
    var text = JSON.stringify({ data: value, expires: null });
    return name.length + text.length;
  }

  function keyNames(count) {
    var names = [];
    for (var i = 0; i < count; i++) names.push("key" + i);
    return names;
  }

  function storageSize() {
    clearStorage();
    py("store_typical", { values_json: JSON.stringify(TYPICAL) });
    var dates = py("store_typical_dates", {});
    var values = {};
    Object.keys(TYPICAL).forEach(function (key) {
      values[key] = TYPICAL[key];
    });
    Object.keys(dates).forEach(function (key) {
      values[key] = { $date: dates[key] };
    });
    var keys = Object.keys(values);

    var ours = {};
    var meteor = {};
    keys.forEach(function (key) {
      var text = localStorage.getItem(PREFIX + key);
      ours[key] = text === null ? null : (PREFIX + key).length + text.length;
      meteor[key] = amplifyEntry(key, values[key]);
    });
    var meteorLists =
      amplifyEntry("__PSKEYS__", keys) +
      amplifyEntry("__PSAKEYS__", []) +
      amplifyEntry("__PSDATAVERSION__", 4);

    // Characters written by one set of a short value among `count` keys.
    var perSet = {};
    [100, 10000].forEach(function (count) {
      perSet[count] = {
        session: (PREFIX + "key1").length + '[1,"p",1]'.length,
        meteor:
          amplifyEntry("key1", 1) +
          amplifyEntry("__PSKEYS__", keyNames(count)) +
          amplifyEntry("__PSAKEYS__", []),
      };
    });
    return { keys: keys, session: ours, meteor: meteor, meteorLists: meteorLists, perSet: perSet };
  }

  window.psBench = {
    py: py,
    fillStorage: fillStorage,
    restore: restore,
    get: get,
    set: set,
    scaling: scaling,
    bindings: bindings,
    storageSize: storageSize,
    info: function () {
      return py("info", {});
    },
  };
})();
