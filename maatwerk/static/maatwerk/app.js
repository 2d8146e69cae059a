// Small progressive enhancements; the app works without JavaScript.
//
// The language form has a button and is not submitted on change: reloading the page while someone walks
// through the options with the arrow keys is a change of context on input (WCAG 3.2.2).

// A table wider than the screen scrolls inside its container. Keyboard users can only scroll it when the
// container takes focus (WCAG 2.1.1), so it does, with the table's caption as its name, for as long as it
// overflows. Containers that fit stay out of the tab order.
const scrollBoxes = new ResizeObserver((entries) => entries.forEach((entry) => fitScrollBox(entry.target)));
let captionSerial = 0;

function fitScrollBox(box) {
  const overflows = box.scrollWidth > box.clientWidth + 1;
  if (overflows && !box.hasAttribute("tabindex")) {
    box.tabIndex = 0;
    box.dataset.mwScrollBox = "";
    // Named by the table's caption, else by the section's heading; a region only when it has a name.
    const caption = box.querySelector("caption");
    let label = box.closest("[aria-labelledby]")?.getAttribute("aria-labelledby");
    if (caption) {
      caption.id = caption.id || `mw-caption-${++captionSerial}`;
      label = caption.id;
    }
    if (label) {
      box.setAttribute("role", "region");
      box.setAttribute("aria-labelledby", label);
    }
  } else if (!overflows && box.hasAttribute("data-mw-scroll-box")) {
    for (const name of ["tabindex", "role", "aria-labelledby", "data-mw-scroll-box"]) {
      box.removeAttribute(name);
    }
  }
}

function enhance(root) {
  const around = root.closest ? root.closest(".utrecht-table-container") : null;
  [...(around ? [around] : []), ...root.querySelectorAll(".utrecht-table-container")].forEach((box) => {
    fitScrollBox(box);
    scrollBoxes.observe(box);
  });
}

document.addEventListener("DOMContentLoaded", () => enhance(document));
// Content swapped in by htmx (the cost overview's results, the business-case results).
document.addEventListener("htmx:load", (event) => enhance(event.target));
