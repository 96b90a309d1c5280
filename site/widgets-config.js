// Loaded after require.js on every page with widgets. Two jobs:
//
// 1. The bundle's modules find their icon fonts in the folder of their AMD module path; map each module into this
//    site's _static folder (relative to the page, so it works from file:// and over HTTP alike). The modules are
//    all defined by the bundle itself, so require.js never fetches these paths.
// 2. The widget bundle (@jupyter-widgets/html-manager's embed-amd.js, ~0.9 MB gzip) is loaded on demand: when a
//    widget's place on the page comes within a screen of the viewport, not with the page. A reader who only reads
//    the top of a chapter never downloads it. Once loaded (after the page's load event), it renders every widget.
(function () {
  const here = document.documentElement.dataset.content_root + "_static/";
  const names = ["base", "base7", "controls", "controls7", "output", "html-manager"];
  const paths = { "@jupyter-widgets/html-manager/dist/libembed-amd": here + "libembed-amd" };
  for (const name of names) paths["@jupyter-widgets/" + name] = here + name;
  require.config({ paths });

  let requested = false;
  function load() {
    if (requested) return;
    requested = true;
    const script = document.createElement("script");
    script.src = here + "embed-amd.js";
    document.head.appendChild(script);
  }
  window.gosimLoadWidgets = load; // for a test or a reader's console
  function watch() {
    const views = [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')];
    if (!views.length) return;
    if (!("IntersectionObserver" in window)) return load();
    const seen = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) { seen.disconnect(); load(); }
    }, { rootMargin: "100% 0px" });
    for (const view of views) seen.observe(view.parentElement);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
  else watch();
})();
