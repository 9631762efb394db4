/* framing report: hover text for chart points and filters for the drill-down.
   Data only ever reaches the page through textContent and the hidden property:
   no innerHTML, no eval, no network. */
(function () {
  "use strict";
  var tip = document.getElementById("tip");

  function place(x, y) {
    var w = tip.offsetWidth, h = tip.offsetHeight;
    var left = Math.min(x + 14, window.innerWidth - w - 8);
    var top = y + 14 + h > window.innerHeight ? y - h - 10 : y + 14;
    tip.style.left = Math.max(4, left) + window.scrollX + "px";
    tip.style.top = Math.max(4, top) + window.scrollY + "px";
  }
  function show(el, x, y) {
    tip.textContent = el.getAttribute("data-tip");
    tip.hidden = false;
    place(x, y);
  }
  function hide() { tip.hidden = true; }

  document.querySelectorAll("[data-tip]").forEach(function (el) {
    el.addEventListener("mouseenter", function (ev) { show(el, ev.clientX, ev.clientY); });
    el.addEventListener("mousemove", function (ev) { place(ev.clientX, ev.clientY); });
    el.addEventListener("mouseleave", hide);
    el.addEventListener("focus", function () {
      var box = el.getBoundingClientRect();
      show(el, box.right, box.bottom);
    });
    el.addEventListener("blur", hide);
  });
  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") hide(); });

  document.querySelectorAll(".drill").forEach(function (section) {
    var text = section.querySelector(".f-text");
    var kind = section.querySelector(".f-kind");
    var cat = section.querySelector(".f-cat");
    var comp = section.querySelector(".f-comp");
    var count = section.querySelector(".f-count");
    var rows = Array.prototype.slice.call(section.querySelectorAll(".drow"));
    var haystack = rows.map(function (r) { return r.textContent.toLowerCase(); });

    function apply() {
      var q = text.value.trim().toLowerCase();
      var shown = 0;
      rows.forEach(function (r, i) {
        var ok = (!q || haystack[i].indexOf(q) !== -1) &&
          (!kind.value || r.getAttribute("data-kind") === kind.value) &&
          (!cat.value || r.getAttribute("data-cat") === cat.value) &&
          (!comp.checked || r.getAttribute("data-comp") === "1");
        r.hidden = !ok;
        if (ok) shown += 1;
      });
      count.textContent = shown + " of " + rows.length + " rows";
    }
    [text, kind, cat, comp].forEach(function (el) {
      el.addEventListener("input", apply);
      el.addEventListener("change", apply);
    });
    apply();
  });

  document.documentElement.setAttribute("data-ready", "1");
})();
