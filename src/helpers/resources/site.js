// Sidebar toggle and full-text search over an index shipped with the site (works from file:// too).
(function () {
  var toggle = document.querySelector(".menu-toggle");
  var sidebar = document.getElementById("sidebar");
  if (toggle && sidebar) {
    toggle.addEventListener("click", function () {
      var open = sidebar.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  var input = document.getElementById("search-input");
  var box = document.getElementById("search-results");
  var index = window.SEARCH_INDEX || { pages: [], noResults: "" };
  function norm(s) { return s.toLocaleLowerCase(document.documentElement.lang); }
  function search(q) {
    q = norm(q.trim());
    box.innerHTML = "";
    if (q.length < 2) { box.hidden = true; return; }
    var list = document.createElement("ol");
    index.pages.forEach(function (p) {
      var text = norm(p.text);
      var at = text.indexOf(q);
      if (at < 0) { return; }
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = p.href;
      a.textContent = p.title;
      li.appendChild(a);
      var snip = document.createElement("div");
      snip.className = "snippet";
      snip.textContent = "… " + p.text.substring(Math.max(0, at - 60), at + q.length + 60) + " …";
      li.appendChild(snip);
      list.appendChild(li);
    });
    if (!list.children.length) { box.textContent = index.noResults; } else { box.appendChild(list); }
    box.hidden = false;
  }
  if (input && box) {
    input.addEventListener("input", function () { search(input.value); });
  }
})();
