/* Searchable picker: turns each <div class="picker" data-pick-url> rendered by
   web/forms/widgets.py (a text input of ids + the chosen names) into a search box.
   Results come from GET <data-pick-url>?q=&page= (web/pick.py), at most 20 a page.
   The chosen ids are posted as hidden inputs under the field's name, one per id, so
   a view reading request.POST.getlist() gets the same as from a <select multiple>. */
(function () {
  "use strict";

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function enhance(box) {
    if (box.dataset.pickReady) return;
    box.dataset.pickReady = "1";
    var raw = box.querySelector("input.picker-ids");
    var list = box.querySelector("ul.picker-chosen");
    if (!raw || !list) return;
    var url = box.dataset.pickUrl;
    var multiple = box.dataset.pickMultiple === "1";
    var name = raw.name;
    // A picker standing outside its <form> (the draft table's rows) posts through form=.
    var formId = raw.getAttribute("form");
    var label = raw.getAttribute("aria-label");
    var chosen = [];  // [{id, text}]
    list.querySelectorAll("li[data-id]").forEach(function (li) {
      chosen.push({ id: li.dataset.id, text: li.textContent });
    });

    // The raw input stays in the DOM (its label points at it) but no longer posts.
    raw.removeAttribute("name");
    raw.hidden = true;
    var hidden = el("span", "picker-hidden");
    var search = el("input", "picker-search");
    search.type = "search";
    search.autocomplete = "off";
    search.placeholder = box.dataset.pickPlaceholder || "";
    search.setAttribute("role", "combobox");
    search.setAttribute("aria-expanded", "false");
    if (label) search.setAttribute("aria-label", label);
    if (raw.id) {
      search.id = raw.id;
      raw.removeAttribute("id");
    }
    var results = el("ul", "picker-results");
    results.setAttribute("role", "listbox");
    results.hidden = true;
    box.appendChild(hidden);
    box.insertBefore(search, list);
    box.appendChild(results);

    function sync() {
      hidden.textContent = "";
      list.textContent = "";
      chosen.forEach(function (item, i) {
        var input = el("input");
        input.type = "hidden";
        input.name = name;
        input.value = item.id;
        if (formId) input.setAttribute("form", formId);
        hidden.appendChild(input);
        var li = el("li", "picker-chip");
        li.dataset.id = item.id;
        li.appendChild(el("span", "", item.text));
        var remove = el("button", "picker-remove", "×");
        remove.type = "button";
        remove.setAttribute("aria-label", (box.dataset.pickRemove || "") + item.text);
        remove.addEventListener("click", function () {
          chosen.splice(i, 1);
          sync();
          search.focus();
        });
        li.appendChild(remove);
        list.appendChild(li);
      });
      if (!multiple && chosen.length === 0) {
        // An empty single choice still posts the field, as an empty <select> would.
        var empty = el("input");
        empty.type = "hidden";
        empty.name = name;
        empty.value = "";
        if (formId) empty.setAttribute("form", formId);
        hidden.appendChild(empty);
      }
      box.dispatchEvent(new CustomEvent("picker:change", { bubbles: true }));
    }

    var timer = null;
    var page = 1;
    var active = -1;
    var seq = 0;

    function close() {
      results.hidden = true;
      search.setAttribute("aria-expanded", "false");
      active = -1;
    }

    function choose(item) {
      if (multiple) {
        if (!chosen.some(function (c) { return c.id === item.id; })) chosen.push(item);
      } else {
        chosen = [item];
      }
      search.value = "";
      close();
      sync();
    }

    function highlight(index) {
      var options = results.querySelectorAll("li.picker-option");
      options.forEach(function (o, i) { o.classList.toggle("on", i === index); });
      active = index;
    }

    function load(append) {
      var mine = ++seq;
      var q = search.value.trim();
      fetch(url + "?q=" + encodeURIComponent(q) + "&page=" + page, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (r) { return r.ok ? r.json() : { results: [], more: false }; })
        .then(function (data) {
          if (mine !== seq) return;  // a later keystroke already asked again
          if (!append) results.textContent = "";
          var more = results.querySelector(".picker-more");
          if (more) more.remove();
          data.results.forEach(function (row) {
            var li = el("li", "picker-option");
            li.setAttribute("role", "option");
            li.dataset.id = String(row.id);
            li.appendChild(el("span", "picker-text", row.text));
            if (row.sub) li.appendChild(el("small", "picker-sub", row.sub));
            li.addEventListener("mousedown", function (ev) {
              ev.preventDefault();  // keep focus in the search box
              choose({ id: String(row.id), text: row.text });
            });
            results.appendChild(li);
          });
          if (!results.querySelector(".picker-option")) {
            results.appendChild(el("li", "picker-empty", box.dataset.pickEmpty || ""));
          }
          if (data.more) {
            var next = el("li", "picker-more", box.dataset.pickMore || "");
            next.addEventListener("mousedown", function (ev) {
              ev.preventDefault();
              page += 1;
              load(true);
            });
            results.appendChild(next);
          }
          results.hidden = false;
          search.setAttribute("aria-expanded", "true");
          if (!append) highlight(results.querySelector(".picker-option") ? 0 : -1);
        })
        .catch(function () { /* offline: the user can retry by typing */ });
    }

    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { page = 1; load(false); }, 200);
    });
    search.addEventListener("focus", function () {
      if (results.hidden) { page = 1; load(false); }
    });
    search.addEventListener("blur", function () { setTimeout(close, 150); });
    search.addEventListener("keydown", function (ev) {
      var options = results.querySelectorAll("li.picker-option");
      if (ev.key === "ArrowDown" && options.length) {
        ev.preventDefault();
        highlight(Math.min(active + 1, options.length - 1));
      } else if (ev.key === "ArrowUp" && options.length) {
        ev.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (ev.key === "Enter") {
        // Enter picks the highlighted row instead of submitting a half-filled form.
        if (!results.hidden && active >= 0 && options[active]) {
          ev.preventDefault();
          var o = options[active];
          choose({ id: o.dataset.id, text: o.querySelector(".picker-text").textContent });
        } else if (!results.hidden) {
          ev.preventDefault();
        }
      } else if (ev.key === "Escape") {
        close();
      } else if (ev.key === "Backspace" && !search.value && chosen.length) {
        chosen.pop();
        sync();
      }
    });

    sync();
  }

  function enhanceAll(root) {
    (root || document).querySelectorAll("div.picker[data-pick-url]").forEach(enhance);
  }

  window.taizhangPicker = { enhanceAll: enhanceAll };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhanceAll(); });
  } else {
    enhanceAll();
  }
})();
