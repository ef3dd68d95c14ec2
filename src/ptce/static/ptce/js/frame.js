// The menu of an edition's organiser pages starts folded on a narrow screen, where it would
// push the page below the fold; without this script it stays open, which works too.
for (const menu of document.querySelectorAll("details[data-fold-below]")) {
  if (!window.matchMedia(`(min-width: ${menu.dataset.foldBelow})`).matches) {
    menu.open = false;
  }
}
