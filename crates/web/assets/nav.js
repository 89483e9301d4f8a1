/* Archipel: on narrow screens the main navigation folds behind a "Menu"
   button (a disclosure: aria-expanded, aria-controls). Without this
   script the navigation stays a line that scrolls sideways. */
(function () {
  "use strict";
  function start() {
    var nav = document.querySelector("header.site nav");
    var list = nav && nav.querySelector("ul");
    if (!list) { return; }
    list.id = list.id || "site-nav-list";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "menu-toggle";
    button.textContent = nav.getAttribute("data-menu") || "Menu";
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", list.id);
    nav.insertBefore(button, list);
    nav.classList.add("folds");
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      nav.classList.toggle("open", open);
    });
    nav.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && nav.classList.contains("open")) {
        button.setAttribute("aria-expanded", "false");
        nav.classList.remove("open");
        button.focus();
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
